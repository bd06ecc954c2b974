/**
 * An actor's log, as lines: `runtime.log(msg)` calls, and what it wrote to stdout and stderr through WASI (console.log,
 * printf). One definition serves both the live log (the stdout/stderr handlers) and the log read back from the
 * chain (`theater events --logs`, the Studio's log panel), so the two always show the same lines.
 *
 * Writes are cut into lines at newlines; text not yet ended by one waits for the next write to the same stream
 * (StarlingMonkey writes a console.log's text and its newline as two writes; printf writes whatever stdio buffered).
 */
import type { Value } from './canonical.ts';
import { isResourceRef } from './resources.ts';

export type LogStream = 'log' | 'stdout' | 'stderr';

export interface LogLine {
  readonly stream: LogStream;
  readonly text: string;
}

const RUNTIME_LOG = { iface: 'theater:simple/runtime', fn: 'log' };
const STREAM_WRITES = new Set(['[method]output-stream.write', '[method]output-stream.blocking-write-and-flush']);

const utf8 = new TextDecoder();

/** Whether an import of this interface and function can make log lines: the others need not be decoded. */
export function mayLog(iface: string, fn: string): boolean {
  return (
    (iface === RUNTIME_LOG.iface && fn === RUNTIME_LOG.fn) || (iface === 'wasi:io/streams' && STREAM_WRITES.has(fn))
  );
}

/** Complete lines out of a stream of writes. */
export class LineBuffer {
  private pending = '';

  /** The lines this write completes. */
  push(bytes: Uint8Array): string[] {
    const parts = (this.pending + utf8.decode(bytes)).split(/\r?\n/);
    this.pending = parts.pop()!;
    return parts;
  }
}

/** Reads log lines out of recorded import entries, in chain order (one per actor instance and stream). */
export class LogLines {
  private readonly streams = new Map<string, LineBuffer>();

  /** The log lines an import entry makes; `input` is its decoded input (the call's arguments). */
  feed(iface: string, fn: string, input: Value): LogLine[] {
    if (!Array.isArray(input)) return [];
    if (iface === RUNTIME_LOG.iface && fn === RUNTIME_LOG.fn && typeof input[0] === 'string') {
      return [{ stream: 'log', text: input[0] }];
    }
    if (iface !== 'wasi:io/streams' || !STREAM_WRITES.has(fn)) return [];
    const [self, bytes] = input as readonly unknown[];
    if (!isResourceRef(self) || (self.label !== 'stdout' && self.label !== 'stderr')) return [];
    if (!(bytes instanceof Uint8Array)) return [];
    const stream = self.label;
    const key = `${stream}#${self.handle}`;
    let buf = this.streams.get(key);
    if (!buf) this.streams.set(key, (buf = new LineBuffer()));
    return buf.push(bytes).map((text) => ({ stream, text }));
  }

  /** A new instance starts with empty stream buffers. */
  reset(): void {
    this.streams.clear();
  }
}
