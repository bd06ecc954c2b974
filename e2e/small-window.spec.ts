/**
 * Issue 13, item 4: a laptop window (1024×700) is usable — the list shows rows with their summaries, the graph's
 * controls are all there — and the side columns and the request drawer can be resized, and remember their size.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/studio.ts';
import { curlBurst, httpPort } from './helpers/curl.ts';
import { shot } from './helpers/studio-ui.ts';

test.use({ viewport: { width: 1024, height: 700 } });

test('1024×700: rows with summaries, every control in view; panels resize and keep their size', async ({
  studio,
}, info) => {
  const { page } = studio;
  const list = await listWithTenRequests(studio);
  await shot(page, info, '01-1024x700');

  // At least eight whole rows, and the summary column has room to say something.
  expect((await list.boundingBox())!.height).toBeGreaterThanOrEqual(8 * 24);
  await expect(page.getByText('summary', { exact: true })).toBeInViewport({ ratio: 1 });
  const summary = list.getByRole('row').last().locator('.c-sum');
  expect((await summary.boundingBox())!.width).toBeGreaterThan(100);

  // Nothing the user needs is cut off.
  const buttons = ['Follow live head', 'Zoom in', 'Zoom out', 'Replay', 'Export bundle'];
  buttons.push('Copy link', 'Save as test', 'Toggle theme', 'Keyboard shortcuts');
  for (const name of buttons)
    await expect(page.getByRole('button', { name, exact: true })).toBeInViewport({ ratio: 1 });
  await expect(page.getByTitle('Import a bundle')).toBeInViewport({ ratio: 1 }); // a label around a file input
  // The integrity verdict is read whole, not cut to "✓ ve…".
  const verdict = page.getByRole('button', { name: 'Re-check integrity' });
  await expect(verdict).toHaveText(/✓ verified through #\d+/);
  expect(await verdict.evaluate((b) => b.scrollWidth <= b.clientWidth)).toBe(true);
  await expect(page.getByLabel('Position')).toBeInViewport({ ratio: 1 });
  await expect(page.getByLabel('Entry count')).toBeInViewport({ ratio: 1 });

  // Resize with the mouse: the drawer up by 100 px, the left column right by 60 px, the inspector left by 40 px.
  const drawer = page.getByRole('region', { name: 'Request panels' });
  const left = page.locator('aside.left');
  const right = page.locator('aside.right');
  const before = {
    drawer: (await drawer.boundingBox())!.height,
    left: (await left.boundingBox())!.width,
    right: (await right.boundingBox())!.width,
  };
  async function drag(name: string, dx: number, dy: number) {
    const b = (await page.getByRole('separator', { name }).boundingBox())!;
    const [x, y] = [b.x + b.width / 2, b.y + b.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + dx / 2, y + dy / 2);
    await page.mouse.move(x + dx, y + dy);
    await page.mouse.up();
  }
  await drag('Resize the request panels', 0, -100);
  await drag('Resize the actors and logs column', 60, 0);
  await drag('Resize the inspector column', -40, 0);
  const after = {
    drawer: (await drawer.boundingBox())!.height,
    left: (await left.boundingBox())!.width,
    right: (await right.boundingBox())!.width,
  };
  expect(after.drawer - before.drawer).toBeCloseTo(100, -1);
  expect(after.left - before.left).toBeCloseTo(60, -1);
  expect(after.right - before.right).toBeCloseTo(40, -1);
  // And with the keyboard: a focused handle moves its edge by the arrow keys.
  await page.getByRole('separator', { name: 'Resize the actors and logs column' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await left.boundingBox())!.width).toBeCloseTo(after.left - 16, 0);
  await shot(page, info, '02-resized');

  // A reload remembers every size.
  await page.reload();
  await expect(list.getByRole('row').first()).toBeVisible();
  expect((await drawer.boundingBox())!.height).toBeCloseTo(after.drawer, 0);
  expect((await left.boundingBox())!.width).toBeCloseTo(after.left - 16, 0);
  expect((await right.boundingBox())!.width).toBeCloseTo(after.right, 0);
  await shot(page, info, '03-after-reload');
});

test('640×480 never scrolls the page; "disconnected" stays on one line at any width', async ({ studio }, info) => {
  const { page } = studio;
  const list = page.getByRole('grid', { name: 'Entry list' });
  await expect(list.getByRole('row').first()).toBeVisible();
  const scrolls = () => pageScrolls(page);

  await page.setViewportSize({ width: 640, height: 480 });
  await expect.poll(scrolls).toEqual({ x: false, y: false });
  for (const name of ['Replay', 'Copy link', 'Save as test', 'Toggle theme', 'Keyboard shortcuts'])
    await expect(page.getByRole('button', { name, exact: true })).toBeInViewport({ ratio: 1 });
  for (const name of ['Details', 'State', 'Diff', 'Replay'])
    await expect(page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name })).toBeInViewport({
      ratio: 1,
    });
  await expect(page.getByRole('button', { name: 'Continue from here' })).toBeInViewport({ ratio: 1 });
  await shot(page, info, '04-640x480');

  // The service out of reach: every socket the page opens is closed at once, as when the Studio has stopped.
  await page.routeWebSocket(/\/api/, (ws) => ws.close());
  await page.reload();
  const status = page.getByRole('status', { name: 'Connection' });
  await expect(status).toHaveText(/^○ disconnected — retrying in \d+s$/);
  const oneLine = async () => {
    const [h, line] = await status.evaluate((el) => [
      el.getBoundingClientRect().height,
      parseFloat(getComputedStyle(el).fontSize) * 1.6,
    ]);
    return h <= line;
  };
  for (const [width, height] of [
    [1440, 900],
    [1280, 800],
    [1024, 700],
    [800, 600],
    [640, 480],
  ] as const) {
    await page.setViewportSize({ width, height });
    await expect.poll(oneLine, `${width}×${height}`).toBe(true);
    await expect(status).toBeInViewport({ ratio: 1 });
    await expect.poll(scrolls, `${width}×${height}`).toEqual({ x: false, y: false });
  }
  await shot(page, info, '05-disconnected-640');
  await page.setViewportSize({ width: 800, height: 600 });
  await shot(page, info, '06-disconnected-800');
});

test('640×480 with the request drawer open: the entry list keeps five whole rows, the drawer stays usable', async ({
  studio,
}, info) => {
  const { page } = studio;
  const list = await listWithTenRequests(studio);
  await page.setViewportSize({ width: 640, height: 480 });
  const drawerTabs = page.getByRole('tablist', { name: 'Request panels' });
  await expect(drawerTabs.getByRole('tab', { name: 'HTTP' })).toHaveAttribute('aria-selected', 'true');
  // Room for five rows (it had none: the drawer took the rest, and its own bottom was cut off by the window)...
  expect(await list.evaluate((el) => el.clientHeight)).toBeGreaterThanOrEqual(5 * 24);
  // ...and five whole rows on screen, from the top of the list.
  await list.evaluate((el) => el.scrollTo(0, 0));
  await expect.poll(() => wholeRows(page)).toBeGreaterThanOrEqual(5);
  await expect.poll(() => pageScrolls(page)).toEqual({ x: false, y: false });
  const drawer = (await page.getByRole('region', { name: 'Request panels' }).boundingBox())!;
  expect(drawer.y + drawer.height).toBeLessThanOrEqual(480);
  await shot(page, info, '07-640x480-drawer-open');
  // The panel is still there to fire from: its first line in view, the rest scrolls inside the drawer.
  const send = page.getByRole('button', { name: 'Send HTTP request' });
  await expect(send).toBeInViewport({ ratio: 1 });
  await expect(page.getByLabel('Request path')).toBeInViewport({ ratio: 1 });
  await page.getByLabel('HTTP method').selectOption('POST');
  await page.getByLabel('Request path').fill('/increment');
  await send.click();
  await expect(page.getByLabel('HTTP status')).toHaveText('200');
  await expect(page.getByLabel('Entry count')).toHaveText(/^37 entries$/);
  // The message panel gets the same room.
  await drawerTabs.getByRole('tab', { name: 'Message' }).click();
  await list.evaluate((el) => el.scrollTo(0, 0));
  await expect.poll(() => wholeRows(page)).toBeGreaterThanOrEqual(5);
  await shot(page, info, '08-640x480-message-panel');
});

/** Rows of the entry list shown whole: inside its scrolling box and inside the window. */
/** The counter after ten HTTP requests (34 entries), its entry list showing. */
async function listWithTenRequests({ page, service }: { page: Page; service: Parameters<typeof httpPort>[0] }) {
  await curlBurst(await httpPort(service, 'counter'), 10);
  const list = page.getByRole('grid', { name: 'Entry list' });
  await expect(list.getByRole('row').first()).toBeVisible();
  return list;
}

function wholeRows(page: Page): Promise<number> {
  return page.getByRole('grid', { name: 'Entry list' }).evaluate((grid) => {
    const box = grid.getBoundingClientRect();
    const bottom = Math.min(box.bottom, window.innerHeight);
    return Array.from(grid.querySelectorAll('[role="row"]')).filter((row) => {
      const r = row.getBoundingClientRect();
      return r.height > 0 && r.top >= box.top - 0.5 && r.bottom <= bottom + 0.5;
    }).length;
  });
}

/** Whether the page itself scrolls, either way (it should not: the panels scroll inside). */
function pageScrolls(page: Page): Promise<{ x: boolean; y: boolean }> {
  return page.evaluate(() => {
    const d = document.documentElement;
    return { x: d.scrollWidth > d.clientWidth, y: d.scrollHeight > d.clientHeight };
  });
}
