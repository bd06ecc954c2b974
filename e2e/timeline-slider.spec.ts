/**
 * Issue 13, item 3: the timeline slider works with a mouse. A click on the track selects the entry there; a drag
 * released at once (no pause before letting go) selects where it was released and stays there.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/studio.ts';
import { curlBurst, httpPort } from './helpers/curl.ts';
import { shot } from './helpers/studio-ui.ts';

/** "12 / 94 · seq 11 · main" → [12, 94] */
async function position(page: Page): Promise<[number, number]> {
  const t = (await page.getByLabel('Position').textContent()) ?? '';
  const m = /^(\d+) \/ (\d+)/.exec(t);
  if (!m) throw new Error(`no position in ${JSON.stringify(t)}`);
  return [Number(m[1]), Number(m[2])];
}

test('click the timeline track, then drag the thumb and release at once', async ({ studio }, info) => {
  const { page, service } = studio;
  await curlBurst(await httpPort(service, 'counter'), 40);
  const total = (await service.branches({ actor: 'counter' }))[0]!.headSeq + 1;
  await expect(page.getByLabel('Position')).toHaveText(new RegExp(`^${total} / ${total}`));

  const slider = page.getByRole('slider', { name: 'Timeline' });
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  // The thumb's centre travels the track less a thumb's width; aim well inside it.
  const at = (f: number) => box.x + 8 + (box.width - 16) * f;

  const near = (f: number) => async () => Math.abs((await position(page))[0] / total - f) < 0.07;
  await page.mouse.click(at(0.25), y);
  await expect.poll(near(0.25), { timeout: 10_000 }).toBe(true);
  // It stays there (no snap back to where the selection was).
  await page.waitForTimeout(500);
  const clicked = (await position(page))[0];
  expect(clicked / total).toBeLessThan(0.32);
  await expect(page.getByRole('button', { name: 'Follow live head' })).toHaveAttribute('aria-pressed', 'false');
  await shot(page, info, '01-clicked-track-at-quarter');

  // Drag from the thumb to three quarters and let go immediately.
  await page.mouse.move(at(clicked / total), y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(at(clicked / total + ((0.75 - clicked / total) * i) / 10), y);
  await page.mouse.up();
  await expect.poll(near(0.75), { timeout: 10_000 }).toBe(true);
  await page.waitForTimeout(500);
  const [dropped] = await position(page);
  expect(dropped / total).toBeGreaterThan(0.68);
  expect(dropped / total).toBeLessThan(0.82);
  // The list and Details follow the slider: the selected row is the one at that position.
  await expect(page.getByRole('grid', { name: 'Entry list' }).locator('[aria-selected="true"]')).toHaveAttribute(
    'aria-rowindex',
    String(dropped),
  );
  await shot(page, info, '02-dragged-to-three-quarters');
});
