import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, example, tempDir } from '../testing/helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('the worker pool', () => {
  it('does not keep the process alive: a program that stops its actors exits without closing the system', async () => {
    const script = join(dir, 'exits.mts');
    writeFileSync(
      script,
      `import { ActorSystem } from ${JSON.stringify(pathToFileURL(join(REPO, 'runtime/actors/system.ts')).href)};
const system = ActorSystem.open({ db: ${JSON.stringify(join(dir, 'chain.db'))}, ephemeralPorts: true });
const id = await system.start(${JSON.stringify(example('counter'))});
await new Promise((r) => setTimeout(r, 200)); // the pool refills meanwhile
await system.stop(id);
console.log('stopped');
`,
    );
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script], { cwd: REPO, timeout: 60_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
    });
    expect(out.trim()).toBe('stopped');
  }, 70_000);
});
