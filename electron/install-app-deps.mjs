// Rebuilds native modules (better-sqlite3) for Electron's ABI — only where an Electron binary is installed. Where it
// is not (our CI and dev machines cannot download one), this is skipped, not failed: the web host runs on Node's ABI.
// Note: after this, plain Node (vitest, the CLI) needs `npm rebuild better-sqlite3` to get Node's ABI back.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = join('node_modules', 'electron');
let version;
try {
  const bin = join(pkg, 'dist', readFileSync(join(pkg, 'path.txt'), 'utf8').trim());
  if (!existsSync(bin)) throw new Error('no binary');
  version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
} catch {
  console.log("install-app-deps: skipped (no Electron binary installed; the web host uses Node's better-sqlite3)");
  process.exit(0);
}
const marker = join('node_modules', '.theater-electron-abi');
if (existsSync(marker) && readFileSync(marker, 'utf8') === version) process.exit(0);
const r = spawnSync(process.execPath, [join('node_modules', 'electron-builder', 'cli.js'), 'install-app-deps'], {
  stdio: 'inherit',
});
if (r.status !== 0) process.exit(r.status ?? 1);
writeFileSync(marker, version);
