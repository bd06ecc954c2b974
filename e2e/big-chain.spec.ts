/**
 * A chain longer than the service indexes in one slice and longer than the stretch it serves from the branch head
 * before its index is built: the Studio opens on the head at once, and everything that needs the whole index
 * (page 0, hide no-ops) is right once it is built.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ChainStore } from '../runtime/store/index.ts';
import { TestChain } from '../runtime/store/test-chain.ts';
import { serveStudio, type ServedStudio } from '../studio/web/serve-studio.ts';
import { focusApp, rows } from './helpers/studio-ui.ts';

const REQUESTS = 12_000; // 36,001 entries; every fourth request repeats the count: a no-op call group
let dir: string;
let studio: ServedStudio;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-big-'));
  const db = join(dir, 'studio.db');
  const store = ChainStore.open(db);
  const chain = new TestChain('counter');
  chain.start();
  for (let i = 0; i < REQUESTS; i++) {
    chain.counterRequest(i % 4 === 3 ? i - 1 : i);
    if (i % 2000 === 1999) store.appendBatches([chain.take()]);
  }
  store.appendBatches([chain.take()]);
  store.close();
  studio = await serveStudio({ db, dataDir: dir, manifest: null, ephemeralPorts: true });
});

test.afterAll(async () => {
  await studio?.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

test('a 36k-entry chain opens on its head, then pages from the start and hides no-ops', async ({ page }) => {
  const entries = 1 + REQUESTS * 3;
  await page.goto(studio.host.url);
  await expect(page.getByLabel('Entry count')).toHaveText(`${entries.toLocaleString('en-US')} entries`);
  // The head (the last request's return) is selected and listed.
  await expect(rows(page, new RegExp(`^#${entries - 1} return`))).toHaveAttribute('aria-selected', 'true');

  // The first entries come from the full index.
  await focusApp(page);
  await page.keyboard.press('Home');
  await expect(rows(page, /^#0 event/)).toHaveAttribute('aria-selected', 'true');
  await expect(rows(page, /^#1 call/)).toBeVisible();

  // Every fourth request changed nothing: its call, log and return are hidden.
  await page.getByRole('checkbox', { name: 'hide no-ops' }).check();
  const noopGroups = REQUESTS / 4;
  await expect(page.getByLabel('Entry count')).toHaveText(
    `${(entries - noopGroups * 3).toLocaleString('en-US')} entries`,
  );
  await page.getByRole('checkbox', { name: 'hide no-ops' }).uncheck();
  await expect(page.getByLabel('Entry count')).toHaveText(`${entries.toLocaleString('en-US')} entries`);
  await focusApp(page);
  await page.keyboard.press('End');
  await expect(rows(page, new RegExp(`^#${entries - 1} return`))).toHaveAttribute('aria-selected', 'true');
});
