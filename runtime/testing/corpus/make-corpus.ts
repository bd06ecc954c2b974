/**
 * Regenerates the binary files of the bad-input corpus (the .toml and .txt files are written by hand):
 *   npx tsx runtime/testing/corpus/make-corpus.ts
 * Deterministic: the same bytes every run, so the committed files only change when this script does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@bytecodealliance/jco';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '../../..');
const out = (sub: string, name: string, bytes: Uint8Array | string) => {
  mkdirSync(join(HERE, sub), { recursive: true });
  writeFileSync(join(HERE, sub, name), bytes);
};
const frame = (body: Buffer, len = body.length) => {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(len);
  return Buffer.concat([h, body]);
};

// --- .wasm files that are not Theater actors -------------------------------------------------------------------
const counter = readFileSync(join(REPO, 'assets/examples/counter/counter.wasm'));
out('wasm', 'truncated.wasm', counter.subarray(0, 2000));
out('wasm', 'header-only.wasm', counter.subarray(0, 8));
out('wasm', 'empty.wasm', '');
out('wasm', 'text.wasm', 'this is not WebAssembly\n');
out('wasm', 'core-module.wasm', await parse('(module (func (export "init") (result i32) i32.const 0))'));
// A valid component of another world: it exports one function and nothing of theater:simple.
out(
  'wasm',
  'other-world.wasm',
  await parse(`(component
  (core module $m (func (export "hello") (result i32) i32.const 42))
  (core instance $i (instantiate $m))
  (func $f (result u32) (canon lift (core func $i "hello")))
  (export "hello" (func $f)))`),
);
// A component that imports an interface Theater does not provide (and exports nothing of the actor world). Not a
// WASI one: Theater provides those it can record (wasi:filesystem with no directories among them).
out(
  'wasm',
  'foreign-import.wasm',
  await parse(`(component
  (import "example:elsewhere/preopens@0.2.0" (instance $p (export "get-directories" (func (result u32)))))
  (alias export $p "get-directories" (func $gd))
  (core func $gd-low (canon lower (func $gd)))
  (core module $m (import "host" "gd" (func $gd (result i32))) (func (export "hello") (result i32) call $gd))
  (core instance $host (export "gd" (func $gd-low)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $f (result u32) (canon lift (core func $i "hello")))
  (export "hello" (func $f)))`),
);
// Bytes flipped in the middle of a real actor.
const flipped = Buffer.from(counter);
for (let i = 0; i < 64; i++) flipped[1000 + i * 37] = flipped[1000 + i * 37]! ^ 0xff;
out('wasm', 'scrambled.wasm', flipped);

// --- message-port frames (4-byte big-endian length, then UTF-8 JSON) ----------------------------------------------
out('frames', 'short-length.bin', Buffer.from([0, 0])); // two bytes of a four-byte length, then close
out('frames', 'over-limit.bin', frame(Buffer.from('{"type":"send","msg":1}'), 0xffff_ffff));
out('frames', 'just-over-limit.bin', frame(Buffer.alloc(0), 1024 * 1024 + 1));
out('frames', 'half-frame.bin', frame(Buffer.from('{"type":"send",'), 100)); // announces 100 bytes, sends 15, closes
out('frames', 'garbage.bin', frame(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff, 0xfe, 0x00, 0x01])));
out('frames', 'invalid-utf8.bin', frame(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])));
out('frames', 'not-an-object.bin', frame(Buffer.from('[1,2,3]')));
out('frames', 'wrong-type.bin', frame(Buffer.from('{"type":"exec","msg":"rm -rf /"}')));
out('frames', 'no-msg.bin', frame(Buffer.from('{"type":"request"}')));
out('frames', 'zero-length.bin', frame(Buffer.alloc(0)));
out('frames', 'deep-json.bin', frame(Buffer.from(`{"type":"request","msg":${'['.repeat(5000)}${']'.repeat(5000)}}`)));
out('frames', 'proto.bin', frame(Buffer.from('{"type":"request","msg":{"__proto__":{"op":"increment"}}}')));

// --- raw HTTP requests ---------------------------------------------------------------------------------------------
const crlf = (...lines: string[]) => lines.join('\r\n');
out('http', 'oversized-header.http', crlf('GET /count HTTP/1.1', 'Host: 127.0.0.1', `X-Big: ${'a'.repeat(20 * 1024)}`, '', ''));
out('http', 'many-headers.http', crlf('GET /count HTTP/1.1', 'Host: 127.0.0.1', ...Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`), '', ''));
out('http', 'declared-huge-body.http', crlf('POST /increment HTTP/1.1', 'Host: 127.0.0.1', 'Content-Length: 99999999999', '', ''));
out('http', 'bad-request-line.http', crlf('GARBAGE', '', ''));
out('http', 'bad-chunk.http', crlf('POST /increment HTTP/1.1', 'Host: 127.0.0.1', 'Transfer-Encoding: chunked', '', 'zz', 'oops', '', ''));
out('http', 'smuggle.http', crlf('POST /increment HTTP/1.1', 'Host: 127.0.0.1', 'Content-Length: 4', 'Transfer-Encoding: chunked', '', '0', '', ''));
out('http', 'nul-in-header.http', `GET /count HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\0b\r\n\r\n`);
out('http', 'binary.http', Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7919) & 0xff)));
// --- bundles (from the golden counter bundle) ----------------------------------------------------------------------
const golden = readFileSync(join(REPO, 'runtime/timetravel/fixtures/counter.bundle'));
const uvarint = (n: number) => {
  const b: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) b.push((n & 0x7f) | 0x80);
  b.push(n);
  return Buffer.from(b);
};
out('bundles', 'empty.bundle', '');
out('bundles', 'magic-only.bundle', golden.subarray(0, 8));
out('bundles', 'bad-magic.bundle', Buffer.concat([Buffer.from('THTRBDL2'), golden.subarray(8)]));
out('bundles', 'truncated-half.bundle', golden.subarray(0, golden.length >> 1));
out('bundles', 'truncated-end.bundle', golden.subarray(0, golden.length - 5));
const tampered = Buffer.from(golden);
tampered[golden.length - 2000] = tampered[golden.length - 2000]! ^ 0x01;
out('bundles', 'tampered.bundle', tampered);
out('bundles', 'trailing-bytes.bundle', Buffer.concat([golden, Buffer.from('extra')]));
// A record that announces 300 MiB (over the 260 MiB record limit) right after the magic.
out('bundles', 'oversized-record.bundle', Buffer.concat([golden.subarray(0, 8), uvarint(300 * 1024 * 1024), Buffer.alloc(16)]));
out('bundles', 'endless-varint.bundle', Buffer.concat([golden.subarray(0, 8), Buffer.alloc(32, 0xff)]));
console.log('corpus written');
