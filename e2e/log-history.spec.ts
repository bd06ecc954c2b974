/**
 * Issue 13, item 5: the log panel shows the actor's recorded log from the chain — here every line of a headless
 * `theater run` that ended before the Studio opened its db — virtualized and filterable, then live lines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { serveStudio, type ServedStudio } from '../studio/web/serve-studio.ts';
import { curlBurst, httpPort } from './helpers/curl.ts';
import { shot } from './helpers/studio-ui.ts';

const COUNTER = resolve('assets/examples/counter/manifest.toml');
let dir: string;
let studio: ServedStudio | undefined;

/** `theater run` on the counter, `n` increments by curl, then Ctrl-C (SIGINT): everything is committed. */
async function cliRun(db: string, n: number): Promise<void> {
  const p = spawn(process.execPath, ['bin/theater.js', 'run', COUNTER, '--db', db], {
    env: { ...process.env, THEATER_EPHEMERAL_PORTS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /counter: HTTP on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
    p.on('exit', (code) => fail(new Error(`theater run exited ${code}: ${out}`)));
  });
  expect((await curlBurst(port, n)).every((s) => s === 200)).toBe(true);
  const exited = new Promise((ok) => p.on('exit', ok));
  p.kill('SIGINT');
  await exited;
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = mkdtempSync(join(tmpdir(), 'studio-logs-'));
  await cliRun(join(dir, 'cli.db'), 300);
  studio = await serveStudio({ db: join(dir, 'cli.db'), dataDir: dir, manifest: null, ephemeralPorts: true });
});
test.afterAll(async () => {
  await studio?.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

test('every log line of a CLI run, virtualized and filterable, then live lines', async ({ page }, info) => {
  await page.goto(studio!.host.url);
  const log = page.getByRole('log', { name: 'Log lines' });
  // 300 increments and the init's line, none of them seen live by this Studio.
  await expect(log).toHaveAttribute('aria-rowcount', '301');
  await expect(log.getByText('count -> 300', { exact: true })).toBeInViewport();
  expect(await log.locator('.log-line').count()).toBeLessThan(80);
  await shot(page, info, '01-cli-log-history');

  await log.evaluate((el) => (el.scrollTop = 0));
  await expect(log.getByText('counter counter ready at 0', { exact: true })).toBeInViewport();

  await page.getByLabel('Filter log lines').fill('count -> 15');
  await expect(log).toHaveAttribute('aria-rowcount', '11');
  await expect(log.locator('.log-line').first()).toContainText('count -> 15');
  await shot(page, info, '02-filtered');
  await page.getByLabel('Filter log lines').fill('');
  await expect(log).toHaveAttribute('aria-rowcount', '301');

  // A line leads to the entry that recorded it.
  await log.getByText('count -> 300', { exact: true }).click();
  const details = page.getByRole('tabpanel', { name: 'Details' });
  await expect(details).toContainText('theater:simple/runtime.log');
  await expect(details.getByLabel('Input')).toContainText('count -> 300');

  // Started again from the Studio, the actor logs live: the new line arrives below the history.
  await page.getByRole('button', { name: 'Start counter', exact: true }).click();
  await expect(page.getByRole('treeitem', { name: 'counter running' })).toBeVisible();
  // Running comes a moment before its servers listen.
  const port = () => httpPort(studio!.service, 'counter').catch(() => 0);
  await expect.poll(port).toBeGreaterThan(0);
  await curlBurst(await port(), 1);
  await expect(log.getByText('count -> 301', { exact: true })).toBeInViewport();
  await expect(log).toHaveAttribute('aria-rowcount', '302');
  await shot(page, info, '03-live-line-after-history');
});
