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
import { LINK_SCHEME } from '../../studio/contract.ts';
import { registerAppScheme, serveApp } from './app-protocol.ts';
import { deepLinkInArgs, openDeepLink } from './deep-link.ts';
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

function argValue(name: string): string | undefined {
  const flag = process.argv.indexOf(name);
  return flag > 0 ? process.argv[flag + 1] : undefined;
}

function studioDb(): string {
  return argValue('--db') ?? process.env.THEATER_STUDIO_DB ?? join(homedir(), '.theater-studio', 'studio.db');
}

registerAppScheme();
// One Studio per db: a second launch focuses the first instead of fighting over the chain store.
if (!app.requestSingleInstanceLock()) app.quit();
// theater-studio:// links open here (deep-link.ts). A link that arrives before the window exists waits for it.
app.setAsDefaultProtocolClient(LINK_SCHEME);
let win: BrowserWindow | undefined;
let earlyLink = deepLinkInArgs(process.argv);
app.on('open-url', (event, url) => {
  event.preventDefault();
  if (win) openDeepLink(win, url);
  else earlyLink = url;
});

app.whenReady().then(
  async () => {
    const db = studioDb();
    // `--hub postgres://…`: a hub's nodes beside the Studio's own db (instead of the counter example).
    const hub = argValue('--hub');
    const service = await StudioSession.open({ db, dataDir: dirname(db), hub });
    serveApp(join(root, 'dist', 'renderer'));
    registerIpc(service);
    forwardEvents(service, () => win?.webContents);
    // Another process writes this db (a `theater run`): the Studio watches it and starts nothing of its own. On a
    // hub, the hub's actors are what is shown: nothing is started either (unless a manifest was asked for).
    const watching = (await service.db({})).readOnly;
    const asked = argValue('--manifest');
    if (!watching && (asked || !hub)) {
      // The actor the launcher was asked to open (bin/studio.js --manifest), else the counter example.
      const manifest = asked ?? resourcePath('examples', 'counter', 'manifest.toml');
      const opened = await service.openManifest({ path: manifest });
      if (!opened.ok) console.error(`could not open ${manifest}: ${opened.error.message}`);
    }
    win = createStudioWindow(join(here, 'preload.cjs'), resourcePath('icon.png'));
    if (earlyLink) openDeepLink(win, earlyLink);
    app.on('second-instance', (_e, argv) => {
      const link = deepLinkInArgs(argv);
      if (!win) return;
      if (!link || !openDeepLink(win, link)) win.focus();
    });
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
