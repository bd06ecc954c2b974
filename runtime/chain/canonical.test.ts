import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainFormatExample } from '../../docs/examples/chain-format-example.ts';
import { CanonicalError, MapShape, decode, encode, type Value } from './canonical.ts';
import { bodyValue, canonicalBody, entryHash, sha256, ZERO_HASH, type EntryBody } from './entry.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('canonical encoding: known vectors', () => {
  const vectors: [string, Value, string][] = [
    ['none (null)', null, '00'],
    ['none (undefined)', undefined, '00'],
    ['false', false, '01'],
    ['true', true, '02'],
    ['uint 0', 0, '0300'],
    ['uint 127', 127, '037f'],
    ['uint 128', 128, '038001'],
    ['uint 300', 300, '03ac02'],
    ['uint bigint 2^64-1', 2n ** 64n - 1n, '03ffffffffffffffffff01'],
    ['uint as bigint equals the number', 5n, '0305'],
    ['nint -1', -1, '0400'],
    ['nint -129', -129, '048001'],
    ['float 1.5', 1.5, '053ff8000000000000'],
    ['float -0', -0, '058000000000000000'],
    ['float NaN', NaN, '057ff8000000000000'],
    ['float Infinity', Infinity, '057ff0000000000000'],
    ['float 2^53 (not a safe integer)', 2 ** 53, '054340000000000000'],
    ['string ""', '', '0600'],
    ['string "a"', 'a', '060161'],
    ['string "é"', 'é', '0602c3a9'],
    ['bytes', new Uint8Array([1, 2]), '07020102'],
    ['list []', [], '0800'],
    ['list of numbers is not bytes', [1, 2], '0802030103 02'.replace(' ', '')],
    ['list [1, "a"]', [1, 'a'], '08020301060161'],
    ['map {}', {}, '0900'],
    ['map keys sorted', { b: 1, a: 2 }, '090201610302016203 01'.replace(' ', '')],
    // UTF-16 order would put U+1F600 (d83d…) before U+FF21; UTF-8 order (ef… < f0…) puts U+FF21 first.
    ['map keys sorted by UTF-8 bytes', { '😀': 0, Ａ: 1 }, '0902' + '03efbca10301' + '04f09f98800300'],
  ];
  for (const [name, value, expected] of vectors) {
    it(name, () => {
      expect(hex(encode(value))).toBe(expected);
      expect(hex(encode(decode(unhex(expected))))).toBe(expected);
    });
  }

  it('decodes integers beyond 2^53 as bigint and safe ones as number', () => {
    expect(decode(unhex('03ffffffffffffffffff01'))).toBe(2n ** 64n - 1n);
    expect(decode(unhex('0305'))).toBe(5);
  });
});

describe('canonical encoding: non-canonical input is rejected', () => {
  const bad: [string, string, RegExp][] = [
    ['non-minimal varint', '038000', /non-minimal varint/],
    ['non-minimal length', '06810061', /non-minimal varint/],
    ['unsorted map keys', '090201620301016103 02'.replace(' ', ''), /not strictly ascending/],
    ['duplicate map keys', '0902016103000161 0300'.replace(' ', ''), /not strictly ascending/],
    ['trailing bytes', '0000', /trailing bytes/],
    ['integer encoded as float', '053ff0000000000000', /integer 1 encoded as float/],
    ['non-canonical NaN', '057ff8000000000001', /non-canonical NaN/],
    ['bad UTF-8 in a string', '0601ff', /invalid UTF-8/],
    ['bad UTF-8 in a map key', '090101ff00', /invalid UTF-8/],
    ['unknown tag', '0a', /unknown tag 0x0a/],
    ['truncated', '053ff0', /truncated/],
    ['length beyond the input', '0805', /exceeds the remaining/],
  ];
  for (const [name, input, error] of bad) {
    it(name, () => {
      expect(() => decode(unhex(input))).toThrow(CanonicalError);
      expect(() => decode(unhex(input))).toThrow(error);
    });
  }

  it('refuses values that have no canonical form', () => {
    expect(() => encode('\ud800')).toThrow(/lone surrogate/);
    expect(() => encode({ ['\udc00']: 1 })).toThrow(/lone surrogate/);
    expect(() => encode(new Int8Array(2) as unknown as Value)).toThrow(/use Uint8Array/);
    expect(() => encode(new Date() as unknown as Value)).toThrow(/instance of Date/);
    expect(() => encode((() => 1) as unknown as Value)).toThrow(/cannot encode a function/);
  });
});

/** Any value the encoder accepts, including the awkward numbers. */
const anyValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Value>(null, undefined, true, false, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
    fc.double(),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.uint8Array({ maxLength: 12 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** A small domain, so that random pairs are often equal: the "distinct values" property then bites both ways. */
const smallValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<Value>(null, undefined, true, false, 0, -0, 1, 1n, -1, 0.5, NaN, 'a', ''),
    fc.constantFrom<Value>(new Uint8Array([]), new Uint8Array([1]), []),
    fc.array(tie('v'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 }),
  ),
})).v;

/** Equality of the values the format distinguishes: an integer is an integer whether number or bigint, -0 and 0 differ. */
function same(a: Value, b: Value): boolean {
  const isInt = (v: Value) =>
    typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0));
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (isInt(a) || isInt(b)) return isInt(a) && isInt(b) && BigInt(a as number) === BigInt(b as number);
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => same(x, b[i] as Value));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ma = a as Record<string, Value>;
    const mb = b as Record<string, Value>;
    const ka = Object.keys(ma).sort();
    const kb = Object.keys(mb).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(ma[k]!, mb[k]!));
  }
  return a === b;
}

describe('canonical encoding: properties', () => {
  it('encode → decode → encode is the identity on bytes, and decode gives back the same value', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const bytes = encode(v);
        const back = decode(bytes);
        expect(hex(encode(back))).toBe(hex(bytes));
        expect(same(back, v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('distinct values never share an encoding (and equal ones always do)', () => {
    fc.assert(
      fc.property(smallValue, smallValue, (a, b) => {
        expect(Buffer.compare(encode(a), encode(b)) === 0).toBe(same(a, b));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(anyValue, anyValue, (a, b) => {
        expect(Buffer.compare(encode(a), encode(b)) === 0).toBe(same(a, b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('docs/chain-format.md worked example', () => {
  const doc = readFileSync(new URL('../../docs/chain-format.md', import.meta.url), 'utf8');
  for (const { name, hex: expected } of chainFormatExample()) {
    it(`${name} matches the doc`, () => {
      const block = new RegExp(`<!-- example:${name} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(doc);
      expect(block, `docs/chain-format.md has no <!-- example:${name} --> block`).not.toBeNull();
      expect(block![1]!.replace(/\s+/g, '')).toBe(expected);
    });
  }
});

describe('fixed-shape maps (entry bodies)', () => {
  const hash32 = fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: null });
  const body: fc.Arbitrary<EntryBody> = fc.record({
    actor: fc.string({ maxLength: 12 }),
    seq: fc.oneof(fc.nat(), fc.maxSafeInteger()),
    kind: fc.constantFrom('call', 'return', 'error', 'import', 'event'),
    iface: fc.string({ maxLength: 30 }),
    fn: fc.string({ maxLength: 16 }),
    input: hash32,
    output: hash32,
    state: hash32,
    cause: hash32,
    origin: fc.constantFrom(null, 'runtime', 'http', 'message-port', 'actor', 'studio', 'cli'),
  });

  it('an entry body encodes and hashes exactly as the generic encoding of its map', () => {
    fc.assert(
      fc.property(body, hash32, (b, parent) => {
        const generic = encode(bodyValue(b));
        expect(hex(canonicalBody(b))).toBe(hex(generic));
        expect(hex(entryHash(parent, b))).toBe(hex(sha256(Buffer.concat([parent ?? ZERO_HASH, generic]))));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses keys out of encoding order and a wrong number of values', () => {
    expect(() => new MapShape(['b', 'a'])).toThrow(/not strictly ascending/);
    expect(() => new MapShape(['a', 'a'])).toThrow(/not strictly ascending/);
    expect(() => new MapShape(['a', 'b']).encodeTransient([1])).toThrow(/2 keys, got 1/);
    expect(() => new MapShape(['a']).encodeTransient(['\ud800'])).toThrow(/lone surrogate/); // cached strings too
  });
});
