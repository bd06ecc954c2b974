import { describe, expect, it } from 'vitest';
import { ChainBuilder, EMPTY_HEAD } from '../chain/builder.ts';
import { InflightWriter, inflightBuffer, readInflight } from './inflight-log.ts';

function call(chain: ChainBuilder, line: string): void {
  chain.append('import', 'theater:simple/runtime', 'log', {
    input: chain.value([line]),
    output: chain.value({ return: null }),
  });
}

describe('in-flight log', () => {
  it('gives back exactly what the worker published since its last post, appended import by import', () => {
    const buffer = inflightBuffer();
    const log = new InflightWriter(buffer);
    const chain = new ChainBuilder('a', EMPTY_HEAD, null, () => 1234);
    chain.append('call', 'theater:simple/message-server-client', 'handle-send', {
      input: chain.value([]),
      origin: 'cli',
    });
    call(chain, 'one');
    expect(log.append(chain.pending, ['one'])).toBe(true);
    call(chain, 'two');
    expect(log.append(chain.pending, ['one', 'two'])).toBe(true);
    // As a posted batch arrives (structured clone turns the hashes' Buffers into plain Uint8Arrays).
    expect(readInflight(buffer, 'a')).toEqual({ batch: structuredClone(chain.pending), logs: ['one', 'two'] });
    log.reset();
    expect(readInflight(buffer, 'a')).toEqual({ batch: { entries: [], blobs: [] }, logs: [] });
  });

  it('refuses what does not fit, leaving what was published intact', () => {
    const buffer = inflightBuffer();
    const log = new InflightWriter(buffer);
    const chain = new ChainBuilder('a', EMPTY_HEAD, null);
    call(chain, 'small');
    expect(log.append(chain.pending, [])).toBe(true);
    const before = readInflight(buffer, 'a');
    call(chain, 'x'.repeat(buffer.byteLength));
    expect(log.append(chain.pending, [])).toBe(false);
    expect(readInflight(buffer, 'a')).toEqual(before);
  });
});
