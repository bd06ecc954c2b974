/**
 * A request the page was asked for while its connection to the Studio was down: the page says it failed, so it must
 * never be sent. It used to stay queued after being reported failed, and went out once the socket opened again: an
 * HTTP call the user saw fail reached the actor anyway (and a retry made it reach it twice). And an integrity check
 * that could not run then is not shown as a failed verify.
 */
import { expect, test } from './fixtures/studio.ts';
import { restartableStudio } from './helpers/restartable-studio.ts';
import { fireIncrements, shot } from './helpers/studio-ui.ts';

test('a request reported failed while the Studio was away is not sent when it comes back', async ({ page }, info) => {
  // The same token each time: the Studio comes back as the same run would (a restart of its service).
  const { start, dispose } = restartableStudio('t');
  try {
    const first = await start();
    await page.goto(first.host.url);
    const status = page.getByRole('status', { name: 'Connection' });
    await expect(status).toHaveText('● connected');
    await fireIncrements(page, 1);
    await expect(page.getByLabel('Response body')).toHaveText(/"count":\s*1/);

    await first.close();
    await expect(status).toHaveText(/○ disconnected/);
    await page.getByRole('button', { name: 'Send HTTP request' }).click();
    await expect(page.getByLabel('HTTP panel').getByText('connection to the Studio service was lost')).toBeVisible();
    // A check that could not run says so, not that the chain failed it (it said "verify failed", in red).
    await page.getByRole('button', { name: 'Re-check integrity' }).click();
    await expect(page.getByRole('status', { name: 'Integrity' })).toHaveText(/^not checked: /);
    await shot(page, info, '01-failed-while-away');

    await start(first.host.port);
    await expect(status).toHaveText('● connected', { timeout: 15_000 });
    // The counter answers 2 to this one only if the request reported failed never reached it.
    await fireIncrements(page, 1);
    await expect(page.getByLabel('Response body')).toHaveText(/"count":\s*2/);
    await shot(page, info, '02-back');
  } finally {
    await page.close().catch(() => {});
    await dispose();
  }
});
