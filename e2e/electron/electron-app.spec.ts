/**
 * The Electron shell, driven by Playwright's _electron. Runs only where an Electron binary is installed; our build
 * machines cannot download one, so there it is skipped saying so (the same checks run in security.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

function electronBinary(): string | undefined {
  try {
    const pkg = join('node_modules', 'electron');
    const bin = join(pkg, 'dist', readFileSync(join(pkg, 'path.txt'), 'utf8').trim());
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();

test.describe('Electron app', () => {
  test.skip(
    !binary,
    'no Electron binary installed (node_modules/electron/path.txt missing): Electron cannot be downloaded on this machine',
  );
  test.skip(
    !existsSync('dist/electron/main.js'),
    'dist/electron/main.js missing: run npm run build:electron (and npm run electron:deps) first',
  );

  test('opens one locked window with the counter loaded and the bridge only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'studio-electron-'));
    const app = await electron.launch({
      executablePath: binary,
      args: ['dist/electron/main.js', '--db', join(dir, 'studio.db')],
    });
    try {
      const page = await app.firstWindow();
      await expect(page.getByText('counter', { exact: true }).first()).toBeVisible();
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => Object.keys((window as unknown as { studio: object }).studio).sort())).toEqual([
        'invoke',
        'on',
      ]);
      // getLastWebPreferences is Electron's own (lib/browser/api/web-contents.ts) but not in its public typings.
      type WithPrefs = { getLastWebPreferences(): Record<string, unknown> };
      const prefs = await app.evaluate(({ BrowserWindow }) =>
        (BrowserWindow.getAllWindows()[0]!.webContents as unknown as WithPrefs).getLastWebPreferences(),
      );
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
      await page.evaluate(() => window.open('https://example.com'));
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
