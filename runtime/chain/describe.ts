/**
 * Human-readable renderings of recorded values: bytes that are UTF-8 JSON (Theater's convention for state and
 * messages) are shown as JSON, other bytes as hex. Used by the CLI's `events` and the Studio's entry list.
 */
import { decode, type Value } from './canonical.ts';
import { toHex, type Entry } from './entry.ts';
import { isResourceRef } from './resources.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as the JSON value they hold, or undefined when they are not UTF-8 JSON. */
export function bytesAsJson(b: Uint8Array): unknown {
  try {
    const text = utf8.decode(b);
    return text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON-compatible view of a recorded value (bytes → their JSON or {hex}; bigints → strings). */
export function toDisplay(v: Value): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) {
    const json = bytesAsJson(v);
    if (json !== undefined) return json;
    const text = printableText(v);
    return text !== undefined ? text : { hex: toHex(v) };
  }
  if (Array.isArray(v)) return v.map(toDisplay);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toDisplay(x);
    return out;
  }
  return v;
}

function printableText(b: Uint8Array): string | undefined {
  try {
    const t = utf8.decode(b);
    return /^[\P{Cc}\t\n\r]*$/u.test(t) ? t : undefined;
  } catch {
    return undefined;
  }
}

export function shortText(v: unknown, max = 100): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'none');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A WASI resource as `stdout#2` (its label) or `output-stream#5`, e.g. the stream a write goes to. */
function resourceText(v: unknown): string | undefined {
  if (!isResourceRef(v)) return undefined;
  return `${v.label ?? v.$resource.slice(v.$resource.indexOf('#') + 1)}#${v.handle}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The one value of a one-element params or response tuple. */
function only(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : undefined;
}

function withBody(head: string, body: unknown, max: number): string {
  return body === null || body === undefined ? head : `${head} ${shortText(body, max)}`;
}

/**
 * An HTTP request as `POST /increment {"by":2}`, its response as `200 {"count":1}`; undefined for anything else.
 * Canonical order puts a request's headers before its method and path, which pushed those out of a one-line summary;
 * headers are in the entry's payload.
 */
function httpText(e: Entry, v: unknown, max: number): string | undefined {
  if (e.fn !== 'handle-request' || !/(^|\/)http-server$/.test(e.iface)) return undefined;
  const x = only(v);
  if (!isRecord(x)) return undefined;
  if (e.kind === 'call' && typeof x.method === 'string' && typeof x.uri === 'string')
    return withBody(`${x.method} ${x.uri}`, x.body, max);
  if (e.kind === 'return' && typeof x.status === 'number') return withBody(String(x.status), x.body, max);
  return undefined;
}

/**
 * One line saying what an entry recorded, e.g. `log("count -> 1") → ok`, `POST /increment` or `→ 200 {"count":1}`.
 */
export function summarizeEntry(e: Entry, blob: (h: Uint8Array) => Uint8Array | undefined, max = 100): string {
  const val = (h: Uint8Array | null): unknown => {
    if (!h) return null;
    const b = blob(h);
    if (!b) return '<missing blob>';
    try {
      return toDisplay(decode(b));
    } catch {
      return '<undecodable>';
    }
  };
  switch (e.kind) {
    case 'call': {
      const input = val(e.input);
      return httpText(e, input, max) ?? shortText(input, max);
    }
    case 'return': {
      const output = val(e.output);
      return `→ ${httpText(e, output, max) ?? shortText(output, max)}`;
    }
    case 'error': {
      const err = val(e.output) as { kind?: string; message?: string } | null;
      return `✗ ${err?.kind ?? 'error'}: ${err?.message ?? ''}`.slice(0, max);
    }
    case 'import': {
      const args = val(e.input) as unknown[];
      const out = val(e.output) as { return?: unknown; throw?: unknown } | null;
      const argText = Array.isArray(args) ? args.map((a) => resourceText(a) ?? shortText(a, max)).join(', ') : '';
      const ret = out?.return ?? null;
      const result =
        out && 'throw' in out ? `err ${shortText(out.throw, max)}` : (resourceText(ret) ?? shortText(ret, max));
      return `(${argText}) → ${result}`.slice(0, max * 2);
    }
    case 'event':
      return shortText(val(e.input), max);
    default: {
      const never: never = e.kind;
      return String(never);
    }
  }
}
