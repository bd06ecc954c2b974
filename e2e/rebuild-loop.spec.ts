/**
 * The edit → rebuild → see-what-changed loop in one window, as a user runs it: a C project made with `theater new`
 * and built, opened in the Studio, called a few times; `theater build --watch` running beside it; the source edited
 * and saved. The watch rebuilds, the Studio offers to replay the actor's history against the new build, and the
 * replay shows where the behaviour changed — for that actor, even when another one is on screen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, shot } from './helpers/studio-ui.ts';

const THEATER = fileURLToPath(new URL('../bin/theater.js', import.meta.url));

/** `theater <args>`, as a user types it; resolves with its exit code and output. */
function theater(args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [THEATER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

let root: string;
let project: string;
test.beforeAll(async () => {
  test.setTimeout(120_000);
  root = mkdtempSync(join(tmpdir(), 'studio-rebuild-'));
  project = join(root, 'tally');
  const made = await theater(['new', project, '--lang', 'c']);
  expect(made.code, made.out).toBe(0);
  const built = await theater(['build', project]);
  expect(built.code, built.out).toBe(0);
});
test.afterAll(() => rmSync(root, { recursive: true, force: true }));

test('edit a C actor while `theater build --watch` runs: the Studio offers the replay and shows the divergence', async ({
  studio,
}, info) => {
  test.setTimeout(120_000);
  const { page } = studio;
  const manifest = join(project, 'manifest.toml');

  // Open the project's manifest next to the counter example the Studio starts with.
  await page.getByRole('button', { name: 'Open manifest' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open manifest' });
  await dialog.getByLabel('Manifest path').fill(manifest);
  await dialog.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('treeitem', { name: /tally running/ })).toBeVisible();
  await fireIncrements(page, 2);
  await expect(page.getByLabel('Response body')).toHaveText(/"count":\s*2/);
  await shot(page, info, '01-tally-called');

  // The counter example on screen: the banner must replay tally, the actor whose build changed.
  await page.getByRole('button', { name: /^counter running$/ }).click();
  await expect(page.getByRole('treeitem', { name: /counter running/ })).toHaveAttribute('aria-selected', 'true');

  let watch: ChildProcess | undefined;
  const source = join(project, 'src', 'actor.c');
  try {
    watch = spawn(process.execPath, [THEATER, 'build', '--watch', project], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watch.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    watch.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 60_000 }).toMatch(/watching src\/ and wit\//);
    const rebuilt = () => (out.match(/wrote tally\.wasm/g) ?? []).length;
    const before = rebuilt();

    writeFileSync(source, readFileSync(source, 'utf8').replace('count += 1;', 'count += 2;'));
    await expect.poll(rebuilt, { timeout: 60_000 }).toBe(before + 1);

    const banner = page.getByRole('alert').filter({ hasText: 'component changed on disk' });
    await expect(banner).toContainText("tally's component changed on disk");
    await shot(page, info, '02-banner');
    await banner.getByRole('button', { name: 'Replay history against the new build' }).click();
    await expect(banner).toHaveCount(0);

    const verdict = page.getByRole('status', { name: 'Replay result' });
    await expect(verdict).toHaveText(/Diverged at/, { timeout: 30_000 });
    await expect(page.getByRole('treeitem', { name: /tally running/ })).toHaveAttribute('aria-selected', 'true');
    // Where it diverged: the first increment's log line, 1 recorded, 2 from the new build.
    await expect(verdict.getByLabel('Expected')).toContainText('count -> 1');
    await expect(verdict.getByLabel('Got')).toContainText('count -> 2');
    await shot(page, info, '03-diverged');
  } finally {
    if (watch && watch.exitCode === null) {
      const exited = new Promise((r) => watch!.on('exit', r));
      watch.kill('SIGINT');
      await exited;
    }
  }
});
