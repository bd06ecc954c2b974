/**
 * The Electron window's locked settings, as data, so tests can assert them without an Electron binary:
 * one webPreferences object, one CSP, one rule for which URLs are ours. Follows Electron's security checklist.
 */
import type { WebPreferences } from 'electron';

/** The renderer is served from this privileged custom scheme (not file://, whose 'self' would be the whole disk). */
export const APP_SCHEME = 'studio';
export const APP_HOST = 'app';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export function lockedWebPreferences(preloadPath: string): WebPreferences {
  return Object.freeze({
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  });
}

/** Sent as a response header on every app:// response and by the session for anything else. */
export const ELECTRON_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React and d3 set style attributes; inline scripts stay forbidden, which is the part that matters.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Is this frame URL our app? The only senders whose IPC we answer. */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** Navigation away from the app, or any new window, is refused: links to elsewhere open nowhere. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}
