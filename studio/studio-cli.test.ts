/** `theater-studio` (bin/studio.js) on bad options: refused before anything starts, exit 2 like `theater`. */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { REPO } from '../runtime/testing/helpers.ts';

it('refuses a --port that is not 0..65535, naming the option and the value, exit 2 (it exited 1)', () => {
  for (const port of ['abc', '70000', '-1']) {
    const r = spawnSync(process.execPath, ['bin/studio.js', '--port', port], { encoding: 'utf8', cwd: REPO });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`option '--port <n>' argument '${port}' is invalid. a port number 0..65535`);
  }
});
