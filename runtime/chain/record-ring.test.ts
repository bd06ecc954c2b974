import { describe, expect, it } from 'vitest';
import { decodeBatch } from './batch-codec.ts';
import { ChainBuilder, EMPTY_HEAD, type Batch } from './builder.ts';
import { RingReader, RingWriter, ringBuffer, type RingRange } from './record-ring.ts';

/** A call as the recorder makes it: call, a log import, return with a new state. */
function call(chain: ChainBuilder, n: number, logLength = 10): Batch {
  chain.append('call', 'theater:simple/message-server-client', 'handle-send', {
    input: chain.value([new TextEncoder().encode(`msg ${n}`)]),
    origin: 'cli',
  });
  chain.append('import', 'theater:simple/runtime', 'log', {
    input: chain.value(['x'.repeat(logLength)]),
    output: chain.value({ return: null }),
  });
  chain.setState(new TextEncoder().encode(`{"count":${n}}`));
  chain.append('return', 'theater:simple/message-server-client', 'handle-send', { output: chain.value([]) });
  return chain.drain();
}

/** What a range holds, decoded (copies). */
function read(reader: RingReader, r: RingRange, actor = 'a') {
  return reader.copy(r.from, r.to, actor).batch;
}

describe('record ring', () => {
  it('gives back exactly what was written, across the wrap, while the consumer frees space behind', () => {
    const sab = ringBuffer(4096);
    const ring = new RingWriter(sab);
    const reader = new RingReader(sab);
    const chain = new ChainBuilder('a', EMPTY_HEAD, null, () => 42);
    let wrapped = false;
    for (let i = 0; i < 60; i++) {
      const batch = call(chain, i);
      expect(ring.append(batch, [], () => {})).toBe(true);
      const r = ring.take(batch.entries.length);
      if ((r.to & 4095) < (r.from & 4095)) wrapped = true;
      expect(read(reader, r)).toEqual(structuredClone({ entries: batch.entries, blobs: batch.blobs }));
      // The summary the main thread keeps: the first entry's parent, and the head after the last one.
      const s = reader.summary(r)!;
      expect(s.parent).toEqual(batch.entries[0]!.parent && new Uint8Array(batch.entries[0]!.parent));
      expect(s.head).toEqual({
        hash: new Uint8Array(batch.entries[2]!.hash),
        seq: batch.entries[2]!.seq,
        state: new Uint8Array(batch.entries[2]!.state!),
      });
      reader.release(r.to); // committed
    }
    expect(wrapped).toBe(true);
  });

  it('when full, hands over what it holds and waits for the space to be released', () => {
    const sab = ringBuffer(4096);
    const ring = new RingWriter(sab);
    const reader = new RingReader(sab);
    const chain = new ChainBuilder('a', EMPTY_HEAD, null);
    const got: Batch['entries'] = [];
    let flushes = 0;
    // Never released until the ring asks: the flush hands the range over, and the "writer" commits it (reads it)
    // and only then releases the space.
    const flush = () => {
      flushes++;
      const r = ring.take(0);
      got.push(...read(reader, r).entries);
      reader.release(r.to);
    };
    let entries = 0;
    for (let i = 0; i < 40; i++) {
      const batch = call(chain, i);
      expect(ring.append(batch, [], flush)).toBe(true);
      entries += batch.entries.length;
    }
    got.push(...read(reader, ring.take(0)).entries);
    expect(flushes).toBeGreaterThan(0);
    // Everything written is in the ranges handed over, in order.
    expect(got).toHaveLength(entries);
    expect(got.map((e) => e.seq)).toEqual(got.map((_, i) => i));
  });

  it('refuses a batch that cannot fit even when the ring is empty (it goes another way), writing nothing', () => {
    const sab = ringBuffer(4096);
    const ring = new RingWriter(sab);
    const reader = new RingReader(sab);
    const chain = new ChainBuilder('a', EMPTY_HEAD, null);
    expect(ring.append(call(chain, 1, 5000), [], () => {})).toBe(false);
    expect(ring.pending).toBe(0);
    // Half the ring and more does not fit on either side of the middle.
    const small = new ChainBuilder('b', EMPTY_HEAD, null);
    expect(ring.append(call(small, 1, 1500), [], () => {})).toBe(true);
    reader.release(ring.take(3).to);
    expect(ring.append(call(small, 2, 2700), [], () => {})).toBe(false);
    expect(ring.append(call(small, 3), [], () => {})).toBe(true);
  });

  it("a dead worker's published records are readable, with its log lines; unpublished ones are not", () => {
    const sab = ringBuffer(4096);
    const ring = new RingWriter(sab);
    const reader = new RingReader(sab);
    const chain = new ChainBuilder('a', EMPTY_HEAD, null);
    const first = call(chain, 1);
    ring.append(first, ['started'], () => {});
    ring.publish(); // after an import crossing
    ring.append(call(chain, 2), [], () => {}); // not published: the worker died before its next crossing
    const got = reader.copy(0, reader.published, 'a');
    expect(got.logs).toEqual(['started']);
    expect(got.batch.entries.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(decodeBatch(new Uint8Array(got.bytes), 'a').batch).toEqual(got.batch);
  });
});
