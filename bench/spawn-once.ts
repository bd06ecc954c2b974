/**
 * One child spawn in a fresh process (bench/runtime-bench.ts runs it): prints the ms from asking to start the
 * supervisor's child until it is running, with the component cache folder given (empty = cold).
 *
 *   node --import tsx bench/spawn-once.ts <cacheDir>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorSystem } from '../runtime/actors/system.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = process.argv[2]!;
const dir = mkdtempSync(join(tmpdir(), 'theater-bench-spawn1-'));
const system = ActorSystem.open({ db: join(dir, 'spawn.db'), ephemeralPorts: true, cacheDir });
try {
  const sup = await system.start(join(ROOT, 'assets/examples/supervisor/manifest.toml'));
  const t0 = performance.now();
  await system.start(join(ROOT, 'assets/examples/supervisor/children/counter.toml'), { parent: sup });
  console.log((performance.now() - t0).toFixed(3));
} finally {
  await system.close();
  rmSync(dir, { recursive: true, force: true });
}
