/**
 * Connections to a hub: a pg Pool whose sessions see the `theater` schema, with bigints read as numbers (ids and
 * seqs stay far below 2^53), the schema migrated once per pool. A URL is shown without its password.
 */
import pg from 'pg';
import { HubOpenError, migrate, SCHEMA } from './schema.ts';

const INT8 = 20;

/** int8 as a JS number; every other type as pg parses it. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL as it may be printed: without a password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable PostgreSQL URL)';
  }
}

export interface HubPoolOptions {
  /** Connections at most (the Studio reads in parallel; a shipper needs one). */
  readonly max?: number;
  /** For pg_stat_activity: which Theater process this is. */
  readonly applicationName?: string;
}

/**
 * A pool on the hub, migrated to this build's schema. Fails with a HubOpenError naming the URL (without its
 * password) when the server cannot be reached or the hub is newer than this build.
 */
export async function openHubPool(url: string, opts: HubPoolOptions = {}): Promise<pg.Pool> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new HubOpenError(`a hub URL starts with postgres:// (got ${JSON.stringify(url.slice(0, 40))})`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    types,
    application_name: opts.applicationName ?? 'theater',
    options: `-c search_path=${SCHEMA}`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection that drops while idle in the pool (a hub restart) must not crash the process: the pool discards
  // it and the next query connects afresh.
  pool.on('error', () => {});
  try {
    await inTransaction(pool, (client) => migrate(client, describeUrl(url)));
  } catch (e) {
    await pool.end().catch(() => {});
    if (e instanceof HubOpenError) throw e;
    throw new HubOpenError(`cannot open the hub at ${describeUrl(url)}: ${(e as Error).message}`, { cause: e });
  }
  return pool;
}

/**
 * Runs `fn` on a client checked out of the pool, released afterwards; a client whose connection broke is discarded,
 * not returned. While checked out, a client's own 'error' event (the server ending the connection: a restart) has
 * no listener of the pool's, and unheard it would crash the process: it is heard here, and the query that was
 * running rejects instead.
 */
export async function withClient<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error) => (broken = e);
  c.on('error', onError);
  try {
    return await fn(c);
  } catch (e) {
    broken ??= e as Error;
    throw e;
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}

/** `fn` between BEGIN and COMMIT on one client; ROLLBACK (and the client discarded) when it throws. */
export function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (c) => {
    await c.query('BEGIN');
    try {
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
}
