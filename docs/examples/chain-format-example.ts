/**
 * Generates the worked example in docs/chain-format.md: a two-entry chain (a `start` event, then an HTTP
 * `handle-request` call). runtime/chain/canonical.test.ts checks that the doc's hex still matches this output.
 *
 *   npx tsx docs/examples/chain-format-example.ts
 */
import { encode, type Value } from '../../runtime/chain/canonical.ts';
import {
  RUNTIME_EVENTS,
  ZERO_HASH,
  canonicalBody,
  entryHash,
  sha256,
  toHex,
  type EntryBody,
} from '../../runtime/chain/entry.ts';

export interface ExampleValue {
  /** The marker in the doc: <!-- example:NAME --> before a fenced block holding `hex`. */
  readonly name: string;
  readonly hex: string;
}

export function chainFormatExample(): ExampleValue[] {
  const startDetails: Value = { manifest: 'counter.toml' };
  const startInput = encode(startDetails);
  const request: Value = [{ method: 'GET', uri: '/count', headers: [['host', 'localhost']], body: null }];
  const requestInput = encode(request);

  const start: EntryBody = {
    actor: 'counter',
    seq: 0,
    kind: 'event',
    iface: RUNTIME_EVENTS,
    fn: 'start',
    input: sha256(startInput),
    output: null,
    state: null,
    cause: null,
    origin: null,
  };
  const startHash = entryHash(null, start);
  const call: EntryBody = {
    actor: 'counter',
    seq: 1,
    kind: 'call',
    iface: 'theater:simple/http-server',
    fn: 'handle-request',
    input: sha256(requestInput),
    output: null,
    state: null,
    cause: null,
    origin: 'http',
  };
  const callHash = entryHash(startHash, call);
  return [
    { name: 'start-input', hex: toHex(startInput) },
    { name: 'start-input-hash', hex: toHex(sha256(startInput)) },
    { name: 'start-body', hex: toHex(canonicalBody(start)) },
    { name: 'start-hash-input', hex: toHex(ZERO_HASH) + toHex(canonicalBody(start)) },
    { name: 'start-hash', hex: toHex(startHash) },
    { name: 'call-input', hex: toHex(requestInput) },
    { name: 'call-input-hash', hex: toHex(sha256(requestInput)) },
    { name: 'call-body', hex: toHex(canonicalBody(call)) },
    { name: 'call-hash', hex: toHex(callHash) },
  ];
}

/** 32 bytes per line, as the doc shows them. */
export function wrapHex(hex: string): string {
  return (hex.match(/.{1,64}/g) ?? []).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const v of chainFormatExample()) console.log(`<!-- example:${v.name} -->\n\`\`\`\n${wrapHex(v.hex)}\n\`\`\`\n`);
}
