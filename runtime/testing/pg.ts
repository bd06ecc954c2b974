/**
 * A real PostgreSQL for the hub's tests. $THEATER_TEST_PG names a server (CI starts one in .ci/run;
 * `export THEATER_TEST_PG=$(npm run -s pg:start)` locally); without it a test file starts its own throwaway
 * cluster from the installed server binaries. Each hub gets a fresh database on that server.
 *
 * Where there is no PostgreSQL at all, hub suites are skipped with the reason — except in CI (.ci/run sets
 * THEATER_REQUIRE_PG; $CI counts too), where they fail: a hub test that silently did not run would claim behaviour
 * nobody checked.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';
import { destroyCluster, findPgBin, startCluster, type Cluster } from './pg-cluster.ts';

export const PG_AVAILABLE = Boolean(process.env.THEATER_TEST_PG) || findPgBin() !== undefined;
/** Where a missing PostgreSQL is a failure, not a reason to skip. */
export const PG_REQUIRED = Boolean(process.env.THEATER_REQUIRE_PG || process.env.CI);

const MISSING =
  'no PostgreSQL: set THEATER_TEST_PG=postgres://… (npm run -s pg:start prints one) or apt-get install postgresql';

/** `describe` for suites that need PostgreSQL: skipped with the reason when there is none, failing in CI. */
export function describeHub(name: string, fn: () => void): void {
  if (PG_AVAILABLE) describe(name, fn);
  else if (PG_REQUIRED) describe(name, () => it('has a PostgreSQL server to test against', () => fail()));
  else describe.skip(`${name} — skipped: ${MISSING}`, fn);
}

function fail(): never {
  throw new Error(`${MISSING}. CI must provide one (.ci/run starts it).`);
}

export interface TestServer {
  /** A maintenance URL (database `postgres`). */
  readonly url: string;
  /** Present when this process started the server itself (it can then restart it). */
  readonly cluster?: Cluster;
  /** A new empty database on the server: its URL. */
  newHub(): Promise<string>;
  /** Drops the databases made here and stops a cluster started here. */
  close(): Promise<void>;
}

/**
 * The server to test against. `own`: always a private cluster, for tests that stop or restart PostgreSQL.
 */
export async function testServer(opts: { own?: boolean } = {}): Promise<TestServer> {
  if (!PG_AVAILABLE) fail();
  let cluster: Cluster | undefined;
  let url = opts.own ? undefined : process.env.THEATER_TEST_PG;
  if (!url) {
    cluster = await startCluster(mkdtempSync(join(tmpdir(), 'theater-pg-')));
    url = cluster.url;
  }
  const made: string[] = [];
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    url,
    cluster,
    async newHub() {
      const name = `theater_test_${process.pid}_${Date.now().toString(36)}_${made.length}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      made.push(name);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async close() {
      if (cluster) {
        destroyCluster(cluster.dir);
        return;
      }
      await admin(async (c) => {
        for (const name of made) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** Runs SQL on a hub database directly (tests that tamper with rows, as a hub writer with access could). */
export async function hubSql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url, options: '-c search_path=theater' });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}
