/**
 * The `theater` CLI as a user runs it, for tests that must prove the path a user takes: a separate process, real
 * ports (free ones: THEATER_EPHEMERAL_PORTS=1), Ctrl-C to stop.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { exited, stopChild, THEATER_BIN } from './helpers.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `theater <args>` to completion. Never rejects: the exit code is part of the result. */
export function theater(args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [THEATER_BIN, ...args],
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface RunningActor {
  readonly child: ChildProcess;
  /** What `theater run` printed so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (rejects if the process exits first). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Ctrl-C: everything recorded is committed, then the process exits. */
  stop(): Promise<void>;
}

export function theaterRun(manifest: string, db: string): RunningActor {
  const child = spawn(process.execPath, [THEATER_BIN, 'run', manifest, '--db', db], {
    env: { ...process.env, THEATER_EPHEMERAL_PORTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            child.stdout!.off('data', check);
            resolve(m);
          }
        };
        child.stdout!.on('data', check);
        void exited(child).then(() => reject(new Error(`theater run exited before printing ${pattern}:\n${out}`)));
        check();
      }),
    stop: () => stopChild(child, 'SIGINT'),
  };
}
