/**
 * Another process looking at a db, as a user's tools would: python3's own sqlite3 module (not ours, not Node), and
 * fcntl's F_GETLK to see which SQLite locks a process holds on the db file without taking any. Tests and the torture
 * run use it to check what other processes see.
 */
import { execFileSync } from 'node:child_process';

function python(script: string, ...args: string[]): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 30_000 }).trim();
}

/** Opens the db with python's sqlite3, runs one query returning a single value, closes it. */
export function pythonQuery(db: string, sql: string): string {
  return python(
    `import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
try:
    print(c.execute(sys.argv[2]).fetchone()[0])
finally:
    c.close()`,
    db,
    sql,
  );
}

export interface HeldLock {
  readonly type: 'none' | 'read' | 'write';
  readonly pid: number;
}

/**
 * The lock another process holds on SQLite's SHARED byte range of the db file (bytes 0x40000002.. of the PENDING
 * byte page): every connection in WAL mode holds a read lock there for as long as it is open. F_GETLK only asks.
 */
export function sharedLockOn(db: string): HeldLock {
  const out = python(
    `import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    r = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, 0x40000002, 510, 0))
finally:
    os.close(fd)
t, _, _, _, pid = struct.unpack('hhqqi4x', r)
print({fcntl.F_UNLCK: 'none', fcntl.F_RDLCK: 'read', fcntl.F_WRLCK: 'write'}[t], pid)`,
    db,
  );
  const [type, pid] = out.split(' ');
  return { type: type as HeldLock['type'], pid: Number(pid) };
}
