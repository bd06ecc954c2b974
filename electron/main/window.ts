/** The Studio's one window: locked webPreferences, no new windows, no navigation away from the app. */
import { BrowserWindow, shell } from 'electron';
import { allowNavigation, APP_URL, lockedWebPreferences } from './security.ts';

export function createStudioWindow(preloadPath: string, iconPath?: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Theater Studio',
    backgroundColor: '#14161a',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: lockedWebPreferences(preloadPath),
  });
  const wc = win.webContents;
  // New windows: never from the renderer. An http(s) link is handed to the user's browser instead of being opened here.
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (event, url) => {
    if (!allowNavigation(url)) event.preventDefault();
  });
  wc.on('will-redirect', (event, url) => {
    if (!allowNavigation(url)) event.preventDefault();
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}
