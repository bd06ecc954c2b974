/**
 * Run headless, inspect in the GUI (issue 10): `theater run` writes a db in a process of its own, and the Studio
 * opened on that db says it is read-only and who writes, keeps every write button off with the reason, and shows
 * what the CLI commits in the list and the graph as it commits it. Requests fired from the HTTP panel go to the
 * CLI's actor, through its real port.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { example, startTheater, tempDir } from '../runtime/testing/helpers.ts';
import { serveStudio } from '../studio/web/serve-studio.ts';
import { fireIncrements, paintedNodes, rows, shot } from './helpers/studio-ui.ts';

test('the Studio watches a theater run: read-only, naming the writer, its entries appearing live', async ({
  page,
}, info) => {
  test.setTimeout(120_000);
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'counter.db');
  const cli = await startTheater(db, example('counter'), dir);
  const studio = await serveStudio({ db, dataDir: dir, ephemeralPorts: true });
  try {
    expect(studio.opened).toBeNull(); // it started nothing of its own on a db someone else writes
    await page.goto(studio.host.url);

    const banner = page.getByRole('status', { name: 'Read-only' });
    await expect(banner).toContainText(`pid ${cli.child.pid} (theater run `);
    await expect(banner).toContainText('has been writing this db since');
    await expect(page.getByRole('treeitem', { name: /counter running/ })).toBeVisible();
    for (const name of ['Stop counter', 'Restart counter', 'Open manifest']) {
      const b = page.getByRole('button', { name, exact: true });
      await expect(b).toBeDisabled();
      await expect(b).toHaveAttribute(
        'title',
        new RegExp(`^Read-only: pid ${cli.child.pid} \\(theater run .*\\) is writing`),
      );
    }
    await expect(page.getByLabel('Import bundle')).toBeDisabled();

    // What the CLI commits shows up: start, init (call, log, return), then per request call, log, return.
    const requests = rows(page, /call .*http-server\.handle-request/);
    await expect(requests).toHaveCount(0);
    await expect.poll(() => paintedNodes(page)).toBe(3); // init: call, log, return
    for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${cli.http!}/increment`, { method: 'POST' });
    await expect(requests).toHaveCount(3);
    await expect(rows(page, /return .*http-server\.handle-request .*"count":3/)).toHaveCount(1);
    await expect.poll(() => paintedNodes(page)).toBe(12); // the graph draws them too
    // Its log, read back from the chain: each line once.
    const logLines = page.getByRole('log', { name: 'Log lines' }).locator('.log-line', { hasText: /count -> \d/ });
    await expect(logLines).toHaveText([/count -> 1$/, /count -> 2$/, /count -> 3$/]);
    await shot(page, info, '01-watching-theater-run');

    // The HTTP panel fires at the CLI's own port; the CLI records it like any request.
    await fireIncrements(page, 1);
    await expect(requests).toHaveCount(4);
    await expect.poll(() => paintedNodes(page)).toBe(15);
    await expect(await (await fetch(`http://127.0.0.1:${cli.http!}/count`)).json()).toEqual({ count: 4 });

    // The writer stops: the banner goes, the buttons come back.
    const exited = new Promise((r) => cli.child.once('exit', r));
    cli.child.kill('SIGINT');
    await exited;
    await expect(banner).toHaveCount(0);
    await expect(page.getByRole('treeitem', { name: /counter stopped/ })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start counter', exact: true })).toBeEnabled();
    await shot(page, info, '02-writer-gone');
  } finally {
    await studio.close();
    cli.child.kill('SIGKILL');
    cleanup();
  }
});
