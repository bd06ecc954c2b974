/**
 * `npm run pg:start` / `npm run pg:stop`: a throwaway PostgreSQL for trying the hub and running its tests locally.
 * The cluster lives in .theater/pg/ (gitignored; THEATER_PG_DIR to move it), listens on 127.0.0.1 only, and its URL
 * is printed on stdout alone, so that `export THEATER_TEST_PG=$(npm run -s pg:start)` works.
 */
import { join, resolve } from 'node:path';
import { clusterPort, clusterRunning, findPgBin, startCluster, stopCluster } from '../runtime/testing/pg-cluster.ts';

const dir = resolve(process.env.THEATER_PG_DIR ?? join('.theater', 'pg'));
const command = process.argv[2] ?? 'start';

if (command === 'start') {
  const port = clusterPort(dir);
  if (port !== undefined && clusterRunning(dir)) {
    console.log(`postgres://postgres@127.0.0.1:${port}/postgres`);
  } else {
    if (!findPgBin()) {
      console.error('pg: no PostgreSQL server binaries: apt-get install postgresql (or set THEATER_PG_BIN)');
      process.exit(1);
    }
    const c = await startCluster(dir, { port });
    console.error(`pg: cluster in ${dir} (stop it with npm run pg:stop)`);
    console.log(c.url);
  }
} else if (command === 'stop') {
  stopCluster(dir);
  console.error(`pg: stopped the cluster in ${dir}`);
} else {
  console.error(`pg: unknown command ${command} (start | stop)`);
  process.exit(2);
}
