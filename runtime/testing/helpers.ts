/** Shared by the runtime's tests: temp dbs, running systems, and real clients for the real ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorSystem } from '../actors/system.ts';
import { encodeFrame, splitFrames } from '../ingress/message-server.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const example = (name: string, file = 'manifest.toml') => join(REPO, 'assets/examples', name, file);

/**
 * A temp folder and its removal. The removal retries (as the e2e fixtures' do) when a file appears in the folder while
 * it is being emptied: a worker or child that a test stopped may still be closing a db there (see stopChild).
 */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'theater-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }) };
}

export async function withSystem<T>(fn: (system: ActorSystem, dir: string) => Promise<T>, db?: string): Promise<T> {
  const { dir, cleanup } = tempDir();
  const system = ActorSystem.open({ db: db ?? join(dir, 'chain.db'), ephemeralPorts: true });
  try {
    return await fn(system, dir);
  } finally {
    await system.close();
    cleanup();
  }
}

export function port(system: ActorSystem, actor: string, kind: 'http-server' | 'message-server'): number {
  const l = system.actor(actor)?.listeners.find((x) => x.kind === kind);
  if (!l) throw new Error(`${actor} has no ${kind} listener`);
  return l.port;
}

export const utf8 = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : null);

/** One framed exchange on the message port; resolves with the reply frames (as JSON) once `count` arrived. */
export function messagePort(p: number, frames: readonly Buffer[], count = frames.length): Promise<unknown[]> {
  return new Promise((resolveAll, reject) => {
    const socket = connect(p, '127.0.0.1');
    let buf: Buffer = Buffer.alloc(0);
    const replies: unknown[] = [];
    socket.on('connect', () => socket.write(Buffer.concat(frames)));
    socket.on('data', (d: Buffer) => {
      const { frames: got, rest } = splitFrames(Buffer.concat([buf, d]));
      buf = rest;
      for (const f of got) replies.push(JSON.parse(f.toString('utf8')));
      if (replies.length >= count) {
        socket.end();
        resolveAll(replies);
      }
    });
    socket.on('close', () => resolveAll(replies));
    socket.on('error', reject);
  });
}

export const frame = encodeFrame;

export const THEATER_BIN = join(REPO, 'bin/theater.js');

/** Resolves once the process has ended (a process killed by a signal has no exit code, only a signalCode). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );

/**
 * Signals a child and resolves once it has exited. A test deletes the child's temp dir only after this: until the exit,
 * the child may still be writing there (a trace line, the db's WAL), and the delete then fails with ENOTEMPTY.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const done = exited(child);
  child.kill(signal);
  return done;
}

export interface RunningTheater {
  readonly child: ChildProcess;
  readonly http?: number;
  readonly messages?: number;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * `theater run <manifest> --db <db> [args]` as a real child process on free ports; resolves once it says it is running,
 * with the ports it printed.
 */
export function startTheater(
  db: string,
  manifest = example('counter'),
  cwd?: string,
  args: readonly string[] = [],
): Promise<RunningTheater> {
  const child = spawn(process.execPath, [THEATER_BIN, 'run', manifest, '--db', db, ...args], {
    cwd,
    env: { ...process.env, THEATER_EPHEMERAL_PORTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const portOf = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!/running \(chain at/.test(out)) return;
      resolve({
        child,
        http: portOf(/HTTP on http:\/\/127\.0\.0\.1:(\d+)/),
        messages: portOf(/messages on tcp:\/\/127\.0\.0\.1:(\d+)/),
        output: () => out,
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`theater run exited (${code}):\n${out}`)));
  });
}
