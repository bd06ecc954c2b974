/**
 * A tripwire for the one thing that silently corrupts a chain db: an `fs` open of a db file (or its -wal, -shm,
 * -lease) while this process has it open through SQLite (see runtime/store/schema.ts). Installed for the whole
 * vitest suite (vitest.setup.ts): every fs function that opens a path is wrapped; an open of a live db file is
 * refused with an error and remembered, and the test in which it happened fails even if the error was caught.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
import { liveDbFileAt } from '../store/open-files.ts';

export interface Violation {
  readonly call: string;
  readonly path: string;
  readonly file: string;
  readonly stack: string;
}

const violations: Violation[] = [];
let installed = false;
/** Nesting depth of withFsTripwireOff. */
let off = 0;

/** fs functions whose leading argument(s) are paths that they open. */
const SYNC_AND_CALLBACK = [
  ['open', 1],
  ['openSync', 1],
  ['readFile', 1],
  ['readFileSync', 1],
  ['writeFile', 1],
  ['writeFileSync', 1],
  ['appendFile', 1],
  ['appendFileSync', 1],
  ['createReadStream', 1],
  ['createWriteStream', 1],
  ['copyFile', 2],
  ['copyFileSync', 2],
  ['truncate', 1],
  ['truncateSync', 1],
  ['cp', 2],
  ['cpSync', 2],
] as const;
const PROMISES = [
  ['open', 1],
  ['readFile', 1],
  ['writeFile', 1],
  ['appendFile', 1],
  ['copyFile', 2],
  ['truncate', 1],
  ['cp', 2],
] as const;

function asPath(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof URL) return v.protocol === 'file:' ? fileURLToPath(v) : undefined;
  if (Buffer.isBuffer(v)) return v.toString();
  return undefined; // a file descriptor or a FileHandle: already open
}

function wrap<T extends object>(target: T, name: string, paths: number, label: string): void {
  const original = (target as Record<string, unknown>)[name];
  if (typeof original !== 'function') return;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    for (let i = 0; off === 0 && i < paths; i++) {
      const p = asPath(args[i]);
      const file = p === undefined ? undefined : liveDbFileAt(p);
      if (p !== undefined && file !== undefined) {
        const v: Violation = { call: `${label}${name}`, path: p, file, stack: new Error().stack ?? '' };
        violations.push(v);
        throw new Error(
          `${v.call}(${p}) refused: ${file} is open through SQLite in this process, and closing any other ` +
            "descriptor of it would drop SQLite's locks (see runtime/store/schema.ts)",
        );
      }
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  (target as Record<string, unknown>)[name] = wrapped;
}

export function installFsTripwire(): void {
  if (installed) return;
  installed = true;
  for (const [name, n] of SYNC_AND_CALLBACK) wrap(fs, name, n, 'fs.');
  for (const [name, n] of PROMISES) wrap(fs.promises, name, n, 'fs.promises.');
  // ESM `import { openSync } from 'node:fs'` bindings follow the CommonJS object only after this.
  syncBuiltinESMExports();
}

/** Violations since the last call, cleared. */
export function takeViolations(): Violation[] {
  return violations.splice(0, violations.length);
}

/**
 * Runs `fn` with the tripwire disarmed. Only for the test that demonstrates the hazard itself
 * (runtime/store/lock-retention.test.ts); nothing else may need it.
 */
export function withFsTripwireOff<T>(fn: () => T): T {
  off++;
  try {
    return fn();
  } finally {
    off--;
  }
}
