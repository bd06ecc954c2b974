/**
 * Imported resources through the one interceptor, without a component: a host stream handed out, written to and
 * dropped is three recorded crossings; replaying them answers every one from the record (the host is never
 * reached) and produces the same entries, hash for hash.
 */
import { describe, expect, it } from 'vitest';
import { decode } from './canonical.ts';
import { ChainBuilder, EMPTY_HEAD, type Batch } from './builder.ts';
import { hashEquals } from './entry.ts';
import {
  interceptImports,
  liveStrategy,
  type ImportObject,
  type ImportOutcome,
  type ImportStrategy,
} from './recorder.ts';

function imports(written: string[], onDrop: () => void): ImportObject {
  class OutputStream {
    readonly label = 'stdout';
    write(bytes: Uint8Array): void {
      written.push(new TextDecoder().decode(bytes));
    }
    [Symbol.dispose](): void {
      onDrop();
    }
  }
  return {
    'wasi:cli/stdout': { getStdout: () => new OutputStream() },
    'wasi:io/streams': { OutputStream } as unknown as ImportObject[string],
  };
}

/** What a guest does: get stdout, write twice, drop it. Returns the stand-in it held. */
function guest(obj: ImportObject): object {
  const out = obj['wasi:cli/stdout']!.getStdout!() as { write(b: Uint8Array): void; [Symbol.dispose](): void };
  out.write(new TextEncoder().encode('hello\n'));
  out.write(new TextEncoder().encode('again\n'));
  out[Symbol.dispose]();
  return out;
}

describe('resources through the interceptor', () => {
  it('records a handed-out stream, each method call on it and its drop; the host does the work live', () => {
    const written: string[] = [];
    let dropped = 0;
    const chain = new ChainBuilder('a', EMPTY_HEAD, null);
    const obj = interceptImports(
      imports(written, () => dropped++),
      chain,
      liveStrategy,
    );
    const standIn = guest(obj);

    expect(written).toEqual(['hello\n', 'again\n']);
    expect(dropped).toBe(1);
    expect(standIn).toBeInstanceOf(obj['wasi:io/streams']!.OutputStream as unknown as new () => object);
    const { entries, blobs } = chain.drain();
    const blob = (h: Uint8Array | null) => decode(blobs.find((b) => h && hashEquals(b.hash, h))!.bytes);
    expect(entries.map((e) => `${e.iface}#${e.fn}`)).toEqual([
      'wasi:cli/stdout#get-stdout',
      'wasi:io/streams#[method]output-stream.write',
      'wasi:io/streams#[method]output-stream.write',
      'wasi:io/streams#[resource-drop]output-stream',
    ]);
    const ref = { $resource: 'wasi:io/streams#output-stream', handle: 1, label: 'stdout' };
    expect(blob(entries[0]!.output)).toEqual({ return: ref });
    expect(blob(entries[1]!.input)).toEqual([ref, new TextEncoder().encode('hello\n')]);
  });

  it('replays from the record alone: same entries, and the host is never reached', () => {
    const chain = new ChainBuilder('a', EMPTY_HEAD, null);
    guest(
      interceptImports(
        imports([], () => {}),
        chain,
        liveStrategy,
      ),
    );
    const recorded: Batch = chain.drain();

    const outcomes = recorded.entries.map(
      (e) => decode(recorded.blobs.find((b) => hashEquals(b.hash, e.output!))!.bytes) as unknown as ImportOutcome,
    );
    let i = 0;
    const fromRecord: ImportStrategy = { outcome: () => outcomes[i++]! };
    const never = () => {
      throw new Error('the host was reached in replay');
    };
    const replayChain = new ChainBuilder('a', EMPTY_HEAD, null);
    const written: string[] = [];
    guest(interceptImports(imports(written, never), replayChain, fromRecord));
    expect(written).toEqual([]);
    const again = replayChain.drain().entries;
    expect(again.map((e) => e.hash)).toEqual(recorded.entries.map((e) => e.hash));
  });
});
