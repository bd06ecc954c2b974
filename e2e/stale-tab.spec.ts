/**
 * A Studio tab left open while the Studio restarts: while nothing answers it keeps retrying (the Studio may come
 * back); once a Studio answers on its port with another run's token, the tab says to open the URL that run printed
 * and stops asking (it used to retry with the old token forever, refused every time, saying only "disconnected").
 */
import { expect, test } from './fixtures/studio.ts';
import { restartableStudio } from './helpers/restartable-studio.ts';
import { shot } from './helpers/studio-ui.ts';

test('a tab from an earlier Studio run says to open the new URL and stops retrying', async ({ page }, info) => {
  const { start, dispose } = restartableStudio();
  try {
    const first = await start();
    await page.goto(first.host.url);
    const status = page.getByRole('status', { name: 'Connection' });
    await expect(status).toHaveText('● connected');
    await expect(page.getByLabel('Position')).toHaveText(/^\d+ \/ \d+/);

    // The Studio stops: nothing answers, so the tab keeps trying (a Studio may come back on this port).
    await first.close();
    await expect(status).toHaveText(/○ disconnected — retrying in \d+s/);

    // It comes back on the same port, as `npm start -- --port N` does, with a new token.
    const second = await start(first.host.port);
    expect(second.host.token).not.toBe(first.host.token);
    const banner = page.getByRole('alert', { name: 'Stale tab' });
    await expect(banner).toContainText("This tab's link is from an earlier Studio run");
    await expect(banner).toContainText('Open the URL the Studio printed');
    await expect(status).toHaveText('○ refused');
    await shot(page, info, '01-stale-tab');

    // And it stops asking: no socket for longer than the longest wait between retries (10 s).
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await page.waitForTimeout(11_000);
    expect(sockets).toBe(0);
    await expect(status).toHaveText('○ refused');

    // The URL the new run printed opens it.
    await page.goto(second.host.url);
    await expect(status).toHaveText('● connected');
    await expect(banner).toHaveCount(0);
    await expect(page.getByLabel('Position')).toHaveText(/^\d+ \/ \d+/);
    await shot(page, info, '02-new-url');
  } finally {
    await page.close().catch(() => {});
    await dispose();
  }
});
