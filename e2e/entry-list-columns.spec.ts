/**
 * The entry list at a 1400 px window: an HTTP call's row shows its method and path (they used to sit after the
 * request's headers, cut off), and message-server-client's handle-send and handle-request rows can be told apart
 * (the function column used to cut both to "message-server-client.handle…").
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures/studio.ts';
import { rows, shot } from './helpers/studio-ui.ts';

test.use({ viewport: { width: 1400, height: 900 } });

/** Whether `text` is drawn inside the cell, not cut off by it: where the person looks, the letters are there. */
async function shows(cell: Locator, text: string): Promise<boolean> {
  return cell.evaluate((el, want) => {
    const box = el.getBoundingClientRect();
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let all = '';
    const nodes: { node: Text; at: number }[] = [];
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      nodes.push({ node: n as Text, at: all.length });
      all += n.textContent;
    }
    const start = all.indexOf(want);
    if (start < 0) return false;
    const end = start + want.length;
    const range = document.createRange();
    const place = (i: number, set: (n: Text, off: number) => void) => {
      const hit = nodes.findLast((x) => x.at <= i)!;
      set(hit.node, Math.min(i - hit.at, hit.node.length));
    };
    place(start, (n, o) => range.setStart(n, o));
    place(end, (n, o) => range.setEnd(n, o));
    // An ellipsis cuts text that overflows: the range then reaches past the cell's right edge.
    const r = range.getBoundingClientRect();
    return r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
  }, text);
}

async function sendMessage(page: Page, kind: 'request' | 'send') {
  await page.getByRole('radiogroup', { name: 'Message kind' }).getByText(kind, { exact: true }).click();
  await page.getByLabel('Message JSON').fill('{"op":"increment"}');
  await page.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByLabel('Message response')).toContainText(/ok · \d+ ms/);
}

test('1400 px: an HTTP call shows its method and path; handle-send and handle-request differ', async ({
  studio,
}, info) => {
  const { page } = studio;
  const drawer = page.getByRole('tablist', { name: 'Request panels' });
  await page.getByLabel('HTTP method').selectOption('POST');
  await page.getByLabel('Request path').fill('/increment');
  await page.getByLabel('Request body').fill('{"by":1}');
  await page.getByRole('button', { name: 'Send HTTP request' }).click();
  await expect(page.getByLabel('HTTP status')).toHaveText('200');

  await drawer.getByRole('tab', { name: 'Message' }).click();
  await sendMessage(page, 'request');
  await sendMessage(page, 'send');
  await expect(page.getByLabel('Position')).toHaveText(/^13 \/ 13/);
  await shot(page, info, '01-entry-list-1400');

  const sum = (r: Locator) => r.locator('.c-sum');
  const fn = (r: Locator) => r.locator('.c-fn');
  const httpCall = rows(page, /^#\d+ call .*http-server\.handle-request/);
  await expect(sum(httpCall)).toContainText('POST /increment {"by":1}');
  expect(await shows(sum(httpCall), 'POST /increment')).toBe(true);
  const httpReturn = rows(page, /^#\d+ return .*http-server\.handle-request/);
  await expect(sum(httpReturn)).toContainText('→ 200 {"count":1}');
  expect(await shows(sum(httpReturn), '200')).toBe(true);

  for (const f of ['handle-request', 'handle-send']) {
    const row = rows(page, new RegExp(`^#\\d+ call .*message-server-client\\.${f} `));
    await expect(row).toHaveCount(1);
    expect(await shows(fn(row), `.${f}`), f).toBe(true);
    // The whole name is still there for whoever hovers.
    await expect(fn(row)).toHaveAttribute('title', `theater:simple/message-server-client.${f}`);
  }
});
