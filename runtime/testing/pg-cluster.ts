/**
 * A throwaway PostgreSQL cluster on loopback: initdb, start, restart, stop. Used by the hub's tests (a real server,
 * never a fake), by `npm run pg:start` for developers and by `.ci/run`. Debian's server binaries live in
 * /usr/lib/postgresql/<version>/bin, off PATH; the server refuses to run as root, so as root every server command
 * runs as the `postgres` user (`runuser`) in a directory that user owns.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface Cluster {
  /** The data directory (also holds the server's Unix socket and log). */
  readonly dir: string;
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres — the maintenance database; create your own beside it. */
  readonly url: string;
}

/** The folder holding initdb and pg_ctl: $THEATER_PG_BIN, Debian's newest version, or PATH's. Undefined: none. */
export function findPgBin(): string | undefined {
  const fromEnv = process.env.THEATER_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'pg_ctl')) ? fromEnv : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const r = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() : '';
  return found ? join(found, '..') : undefined;
}

const asRoot = () => process.getuid?.() === 0;

/** Runs a server binary (as `postgres` when we are root); throws with its output when it fails. */
function pg(bin: string, tool: string, args: readonly string[]): string {
  const cmd = join(bin, tool);
  const r = asRoot()
    ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${tool} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr || r.stdout || r.error}`);
  }
  return r.stdout;
}

/** A free loopback port (the kernel's pick; released again before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Creates (if needed) and starts a cluster in `dir` on `port` (default: a free one). Trust authentication on
 * loopback only: it is a throwaway for tests and development, never a hub to deploy.
 */
export async function startCluster(dir: string, opts: { port?: number; bin?: string } = {}): Promise<Cluster> {
  const bin = opts.bin ?? findPgBin();
  if (!bin) throw new Error('no PostgreSQL server binaries found: apt-get install postgresql (or set THEATER_PG_BIN)');
  mkdirSync(dir, { recursive: true });
  if (asRoot()) {
    chownPostgres(dir);
    const r = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(
        `the server runs as the postgres user, who cannot reach ${dir} (a parent folder is private): ` +
          'set THEATER_PG_DIR to a folder under /tmp',
      );
    }
  }
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    pg(bin, 'initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  }
  const port = opts.port ?? (await freePort());
  writeFileSync(join(dir, 'theater-port'), String(port));
  if (asRoot()) chownPostgres(join(dir, 'theater-port'));
  serverStart(bin, dir, port);
  return { dir, port, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
}

function serverStart(bin: string, dir: string, port: number): void {
  // fsync off: a test server's durability is not what is under test (the hub's own idempotence is), and fsync on a
  // shared 2-core machine makes every commit wait on the disk.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  pg(bin, 'pg_ctl', ['-D', dir, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
}

/**
 * Whether a server is running on this directory. A postmaster.pid alone is not enough: a server killed with the
 * machine (or SIGKILL) leaves it behind, and `pg_ctl status` checks that its pid is alive.
 */
export function clusterRunning(dir: string, bin = findPgBin()): boolean {
  if (!bin || !existsSync(join(dir, 'postmaster.pid'))) return false;
  const cmd = join(bin, 'pg_ctl');
  const args = ['-D', dir, 'status'];
  const r = asRoot()
    ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0;
}

/** Stops the server (fast shutdown: open connections are closed, which is what a restart test wants). */
export function stopCluster(dir: string, bin = findPgBin()): void {
  if (!bin || !clusterRunning(dir, bin)) return;
  pg(bin, 'pg_ctl', ['-D', dir, '-m', 'fast', '-w', '-t', '60', 'stop']);
}

/** Stops and starts again on the same port: every client connection is cut, nothing committed is lost. */
export function restartCluster(c: Cluster, bin = findPgBin()): void {
  if (!bin) throw new Error('no PostgreSQL server binaries found');
  stopCluster(c.dir, bin);
  serverStart(bin, c.dir, c.port);
}

/** Stops the server and deletes its directory. */
export function destroyCluster(dir: string): void {
  try {
    stopCluster(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The port a cluster directory was last started on (for `pg:stop` and friends), if any. */
export function clusterPort(dir: string): number | undefined {
  const f = join(dir, 'theater-port');
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : undefined;
}

function chownPostgres(path: string): void {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('running as root, but there is no `postgres` user to run the server as');
  const [uid, gid] = [Number(r.stdout), Number(g.stdout)];
  if (statSync(path).uid !== uid) chownSync(path, uid, gid);
}
