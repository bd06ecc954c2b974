import { describe, expect, it } from 'vitest';
import { encode, type Value } from './canonical.ts';
import { summarizeEntry } from './describe.ts';
import { sha256, toHex, type Entry, type EntryKind } from './entry.ts';

/** An entry of `kind` whose input (call) or output (return) is `payload`, canonically encoded as the recorder does. */
function entry(kind: EntryKind, iface: string, fn: string, payload: Value) {
  const bytes = encode(payload);
  const h = sha256(bytes);
  const e: Entry = {
    actor: 'counter',
    seq: 4,
    kind,
    iface,
    fn,
    input: kind === 'call' ? h : null,
    output: kind === 'return' ? h : null,
    state: null,
    cause: null,
    origin: kind === 'call' ? 'http' : null,
    hash: new Uint8Array(32),
    parent: null,
  };
  return summarizeEntry(e, (x) => (toHex(x) === toHex(h) ? bytes : undefined));
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const HTTP = 'theater:simple/http-server';
const headers = [
  ['host', '127.0.0.1:46303'],
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/140'],
  ['content-type', 'application/json'],
];

describe('one-line summaries of HTTP calls', () => {
  it('lead with the method and path (headers come first in canonical order and pushed them out of the line)', () => {
    const req = { method: 'POST', uri: '/increment', headers, body: json({ by: 2 }) };
    expect(entry('call', HTTP, 'handle-request', [req])).toBe('POST /increment {"by":2}');
    expect(entry('call', HTTP, 'handle-request', [{ ...req, method: 'GET', uri: '/count?x=1', body: null }])).toBe(
      'GET /count?x=1',
    );
  });

  it('lead a response with its status', () => {
    const res = { status: 200, headers: [['content-type', 'application/json']], body: json({ count: 3 }) };
    expect(entry('return', HTTP, 'handle-request', [res])).toBe('→ 200 {"count":3}');
    expect(entry('return', HTTP, 'handle-request', [{ ...res, status: 204, body: null }])).toBe('→ 204');
  });

  it('leave other calls as their payload, also a message request that happens to have method and uri fields', () => {
    const msg = { method: 'POST', uri: '/x' };
    expect(entry('call', 'theater:simple/message-server-client', 'handle-request', ['id-1', json(msg)])).toBe(
      '["id-1",{"method":"POST","uri":"/x"}]',
    );
    expect(entry('call', 'theater:simple/actor', 'init', ['counter'])).toBe('["counter"]');
  });
});
