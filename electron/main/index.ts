/**
 * Electron composition root: opens the StudioService on the Studio's db, registers IPC, opens the one window with
 * the counter example loaded. Everything else lives in the service; this file only wires.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow } from 'electron';
import { StudioSession } from '../../studio/service/studio-session.ts';
import { registerAppScheme, serveApp } from './app-protocol.ts';
import { forwardEvents, registerIpc } from './ipc/register.ts';
import { createStudioWindow } from './window.ts';

/** dist/electron/ when bundled; the repo root is two levels up. */
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function resourcePath(...parts: string[]): string {
  // Packaged: extraResources land in process.resourcesPath; in development, the repo's assets/.
  const packaged = join(process.resourcesPath ?? '', ...parts);
  return app.isPackaged && existsSync(packaged) ? packaged : join(root, 'assets', ...parts);
}

function arg(name: string): string | undefined {
  const flag = process.argv.indexOf(name);
  return flag > 0 ? process.argv[flag + 1] : undefined;
}

function studioDb(): string {
  return arg('--db') ?? process.env.THEATER_STUDIO_DB ?? join(homedir(), '.theater-studio', 'studio.db');
}

registerAppScheme();
// One Studio per db: a second launch focuses the first instead of fighting over the chain store.
if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | undefined;

app.whenReady().then(
  async () => {
    const db = studioDb();
    // `--hub postgres://…`: a hub's nodes beside the Studio's own db (instead of the counter example).
    const hub = arg('--hub');
    const service = await StudioSession.open({ db, dataDir: dirname(db), hub });
    serveApp(join(root, 'dist', 'renderer'));
    registerIpc(service);
    forwardEvents(service, () => win?.webContents);
    // Another process writes this db (a `theater run`): the Studio watches it and starts nothing of its own. On a
    // hub, the hub's actors are what is shown: nothing is started either.
    const watching = (await service.db({})).readOnly;
    if (!hub && !watching) {
      const counter = resourcePath('examples', 'counter', 'manifest.toml');
      const opened = await service.openManifest({ path: counter });
      if (!opened.ok) console.error(`could not open the counter example: ${opened.error.message}`);
    }
    win = createStudioWindow(join(here, 'preload.cjs'), resourcePath('icon.png'));
    app.on('second-instance', () => win?.focus());
    app.on('window-all-closed', () => {
      void service.close().finally(() => app.quit());
    });
  },
  (e: unknown) => {
    console.error(e);
    app.exit(1);
  },
);

// No webviews, no remote content anywhere in the app.
app.on('web-contents-created', (_e, wc) => wc.on('will-attach-webview', (ev) => ev.preventDefault()));
