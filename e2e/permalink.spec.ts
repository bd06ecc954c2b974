/**
 * Issue 13, item 6: permalinks. The address bar follows actor, branch, selected entry and diff picks; "Copy link"
 * gives that place without the launch token; opened in a new page it lands on exactly that entry; a reload keeps it;
 * a hash prefix typed in search jumps to its entry; and a link survives a bundle's export and import, waiting for the
 * data to be there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { serveStudio } from '../studio/web/serve-studio.ts';
import { expect, test } from './fixtures/studio.ts';
import { curlBurst, httpPort } from './helpers/curl.ts';
import { focusApp, rows, shot } from './helpers/studio-ui.ts';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

async function copiedLink(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  return page.evaluate(() => navigator.clipboard.readText());
}

const row = (page: Page, seq: number) => rows(page, new RegExp(`^#${seq} `));
const details = (page: Page) => page.getByRole('tabpanel', { name: 'Details' });
/** Whether the page says its link waits for data, right now (not waited for: such a notice expires by itself). */
const saysWaiting = async (page: Page) =>
  (await page.getByRole('status').filter({ hasText: 'The link waits' }).count()) > 0;

test('copy a link to an entry and a diff, open it in a new page, reload, and jump by a typed hash', async ({
  studio,
}, info) => {
  const { page, service } = studio;
  await curlBurst(await httpPort(service, 'counter'), 5);
  const hashAt = async (seq: number) =>
    (await service.entries({ actor: 'counter', offset: seq, limit: 1 })).items[0]!.hash;
  await expect(page.getByLabel('Position')).toHaveText(/^19 \/ 19/);

  // Diff #4 against #10, and select #7.
  await row(page, 4).click();
  await focusApp(page);
  await page.keyboard.press('d');
  await row(page, 10).click();
  await focusApp(page);
  await page.keyboard.press('d');
  await row(page, 7).click();
  await page.getByRole('tab', { name: 'Details' }).click();
  await expect(details(page).getByText(await hashAt(7), { exact: true })).toBeVisible();

  const link = await copiedLink(page);
  expect(link).not.toContain('token');
  expect(link).toBe(
    `${new URL(studio.url).origin}/#actor=counter&branch=main&entry=${await hashAt(7)}&a=${await hashAt(4)}&b=${await hashAt(10)}`,
  );
  // The address bar says the same (and the token has left it).
  await expect.poll(() => page.url()).toBe(link);

  // More entries arrive meanwhile; the link still lands on #7, not on the head.
  await curlBurst(await httpPort(service, 'counter'), 3);
  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.getByLabel('Position')).toHaveText(/^8 \/ 28 · seq 7/);
  // Its actor is there: no notice that the link waits for it (the actor list comes after the link at start-up).
  expect(await saysWaiting(other)).toBe(false);
  await expect(row(other, 7)).toHaveAttribute('aria-selected', 'true');
  await expect(other.getByRole('button', { name: 'Follow live head' })).toHaveAttribute('aria-pressed', 'false');
  // Both picks: the diff is what it shows first.
  await expect(other.getByRole('tab', { name: 'Diff' })).toHaveAttribute('aria-selected', 'true');
  await expect(other.getByLabel('Diff A', { exact: true })).toContainText('#4');
  await expect(other.getByLabel('Diff B', { exact: true })).toContainText('#10');
  await shot(other, info, '01-link-opened-in-new-page');
  await other.getByRole('tab', { name: 'Details' }).click();
  await expect(details(other).getByText(await hashAt(7), { exact: true })).toBeVisible();

  // A reload keeps the place (the actor too).
  await other.reload();
  await expect(other.getByLabel('Position')).toHaveText(/^8 \/ 28 · seq 7/);
  expect(await saysWaiting(other)).toBe(false);

  // A hash prefix typed in the search box goes to its entry, in the whole list.
  const target = await hashAt(2);
  await other.getByLabel('Search payloads').fill(target.slice(0, 7));
  await expect(other.getByLabel('Position')).toHaveText(/^3 \/ 28 · seq 2/);
  await expect(other.getByLabel('Search payloads')).toHaveValue('');
  await shot(other, info, '02-jumped-by-hash-prefix');
  await other.close();
});

test('a reload keeps the actor: a scripted request after it goes to that actor', async ({ studio }) => {
  const { page, service } = studio;
  await service.openManifest({ path: 'assets/examples/supervisor/manifest.toml' });
  const tree = page.getByRole('tree', { name: 'Actor tree' });
  const flaky = tree.getByRole('treeitem', { name: /^flaky/ });
  await flaky.getByRole('button', { name: /^flaky/ }).click();
  await expect(flaky).toHaveAttribute('aria-selected', 'true');
  await expect.poll(() => page.url()).toContain('actor=supervisor%2Fflaky');
  await page.reload();
  await expect(page.getByRole('treeitem', { name: /^counter/ }).first()).toBeVisible();
  await expect(flaky).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tablist', { name: 'Request panels' }).getByRole('tab', { name: 'Message' }).click();
  await expect(page.getByLabel('Target actor')).toHaveValue('supervisor/flaky');
});

test('a link survives export and import: opened first, it waits for the data, then lands', async ({ studio }, info) => {
  const { page, service } = studio;
  await curlBurst(await httpPort(service, 'counter'), 4);
  const hash = (await service.entries({ actor: 'counter', offset: 5, limit: 1 })).items[0]!.hash;
  await row(page, 5).click();
  const link = await copiedLink(page);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export bundle' }).click();
  const bundle = join(studio.dir, 'counter.bundle');
  await (await download).saveAs(bundle);

  // Another Studio, on its own empty db: the same link (its own address, the same place).
  const dir = mkdtempSync(join(tmpdir(), 'studio-import-'));
  const second = await serveStudio({ db: join(dir, 'other.db'), dataDir: dir, manifest: null, ephemeralPorts: true });
  try {
    const there = await page.context().newPage();
    await there.goto(`${second.host.url}#${new URL(link).hash.slice(1)}`);
    await expect(there.getByRole('status').filter({ hasText: 'The link waits for actor counter' })).toBeVisible();
    await there.getByLabel('Import bundle').setInputFiles(bundle);
    await expect(details(there).getByText(hash, { exact: true })).toBeVisible();
    await expect(there.getByLabel('Position')).toHaveText(/^6 \/ \d+ · seq 5/);
    await shot(there, info, '01-link-landed-after-import');
    await there.close();
  } finally {
    await second.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
});
