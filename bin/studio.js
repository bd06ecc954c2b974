#!/usr/bin/env node
// `npm start`: the Theater Studio. Electron where its binary is installed; otherwise the web host, opened in a
// Chromium app window when there is a display and a Chromium, else its URL (with the launch token) printed.
// `theater-studio --help` lists the options (and starts nothing).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function portNumber(v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0..65535');
  return n;
}

// Options are parsed before anything starts: --help, or a mistyped option, never opens a Studio on a db.
const cli = new Command('theater-studio')
  .description(
    'The Theater Studio (the counter example opened). Electron where its binary is installed; else the same ' +
      'Studio as a local web app on 127.0.0.1 with a per-launch token, opened in a Chromium window or its URL printed.',
  )
  .option(
    '--db <path>',
    "the Studio's chain db",
    process.env.THEATER_STUDIO_DB ?? join(homedir(), '.theater-studio', 'studio.db'),
  )
  .option('--port <n>', 'web host port (0: any free one)', portNumber, 0)
  .option('--no-open', 'print the URL only; open no window')
  .option('--web', 'use the web host even where Electron is installed')
  .option('--manifest <path>', "open this actor's manifest at launch instead of the counter example (your own project)")
  .option('--hub <url>', "also read a chain hub (postgres://…): its nodes' actors beside the Studio's own, read-only")
  .showHelpAfterError()
  // A mistyped option or value is a usage error, exit 2 as for `theater` (commander's own is 1).
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2))
  .parse();
const { db, port, open, web } = cli.opts();
const hub = cli.opts().hub ?? process.env.THEATER_HUB;
const manifest = cli.opts().manifest === undefined ? undefined : resolve(cli.opts().manifest);
if (manifest !== undefined && !existsSync(manifest))
  cli.error(`--manifest ${cli.opts().manifest}: no such file`, { exitCode: 2 });

/** Newest modification time under a folder (the renderer's sources), ignoring build output. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function buildRendererIfStale() {
  const index = join(root, 'dist', 'renderer', 'index.html');
  const sources = join(root, 'renderer');
  if (!existsSync(sources)) return;
  if (existsSync(index) && statSync(index).mtimeMs >= newest(sources)) return;
  console.error('studio: building the renderer (dist/renderer is missing or older than renderer/)…');
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) {
    console.error('studio: the renderer build failed; see above');
    process.exit(1);
  }
}

/** The Electron binary, if one is really installed (requiring the package would try to download it). */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  try {
    const rel = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
    const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist'), rel);
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function findChromium() {
  for (const c of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

buildRendererIfStale();

const electron = web ? undefined : electronBinary();
if (electron) {
  for (const script of ['electron/build-electron.mjs', 'electron/install-app-deps.mjs']) {
    const r = spawnSync(process.execPath, [join(root, script)], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const electronArgs = [join(root, 'dist', 'electron', 'main.js'), '--db', db];
  if (manifest) electronArgs.push('--manifest', manifest);
  if (hub) electronArgs.push('--hub', hub);
  const child = spawn(electron, electronArgs, {
    cwd: root,
    stdio: 'inherit',
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  register();
  const { serveStudio } = await import('../studio/web/serve-studio.ts');
  let studio;
  try {
    // THEATER_EPHEMERAL_PORTS=1 starts actors on free ports (as `theater run` does): several Studios on one machine.
    studio = await serveStudio({
      db,
      port,
      manifest,
      hub,
      ephemeralPorts: process.env.THEATER_EPHEMERAL_PORTS === '1',
    });
  } catch (e) {
    console.error(`studio: ${e.message}`);
    process.exit(1);
  }
  const { session, host, opened } = studio;
  if (opened && !opened.ok)
    console.error(`studio: could not open ${manifest ?? 'the counter example'}: ${opened.error.message}`);
  // Said where it cannot be missed: requests scripted against the manifest's port would go elsewhere.
  if (opened?.ok && opened.note) console.log(`studio: ${opened.note}`);
  const dbView = await session.db({});
  if (dbView.readOnly) {
    const w = dbView.writer;
    console.log(
      `studio: read-only: ${w ? `pid ${w.pid} (${w.command})` : 'another process'} is writing ${db}; ` +
        'its new entries show up live',
    );
  }
  const shown = await session.hub({});
  if (shown)
    console.log(
      `  hub ${shown.url}: ${shown.nodes.map((n) => `${n.name} (${n.actors} ${n.actors === 1 ? 'actor' : 'actors'})`).join(', ') || 'no nodes yet'}`,
    );
  for (const a of await session.listActors({})) {
    if (a.status !== 'running' || a.node) continue;
    for (const l of a.listeners) console.log(`  ${a.id}: ${l.kind} on ${l.host}:${l.port}`);
  }
  console.log(`Theater Studio (chain db ${db})`);
  console.log(`  ${host.url}`);
  const chromium = !open || !process.env.DISPLAY ? undefined : findChromium();
  if (chromium) {
    const profile = mkdtempSync(join(tmpdir(), 'theater-studio-chromium-'));
    const browser = spawn(
      chromium,
      [
        `--app=${host.url}`,
        `--user-data-dir=${profile}`,
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      { stdio: 'ignore', detached: false },
    );
    browser.on('exit', () => console.log('studio: the window was closed; the Studio keeps running until Ctrl-C'));
  } else if (open) {
    console.log('  (no display or no Chromium here: open the URL above in a browser on this machine)');
  }
  const stop = () => void studio.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
