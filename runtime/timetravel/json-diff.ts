/**
 * Structured diff of two states. JSON states (Theater's convention) are diffed with jsondiffpatch, whose array
 * diff matches items by identity (an `id` field, else the whole value) so an insertion in the middle of a list is
 * one `added`, not a cascade of `changed`; its delta is flattened into path-addressed changes a UI can list.
 * Anything that is not JSON gets a line diff of its text, or a byte summary.
 */
import { create, type Delta } from 'jsondiffpatch';
import { diffLines } from 'diff';
import { bytesAsJson } from '../chain/describe.ts';
import { toHex } from '../chain/entry.ts';

export type PathSegment = string | number;

export type Change =
  | { readonly op: 'added'; readonly path: readonly PathSegment[]; readonly value: unknown }
  | { readonly op: 'removed'; readonly path: readonly PathSegment[]; readonly value: unknown }
  | { readonly op: 'changed'; readonly path: readonly PathSegment[]; readonly before: unknown; readonly after: unknown }
  | { readonly op: 'moved'; readonly path: readonly PathSegment[]; readonly to: number; readonly value: unknown };

export type StateDiff =
  | { readonly kind: 'equal' }
  | { readonly kind: 'json'; readonly changes: readonly Change[] }
  /** Non-JSON (or one side missing/non-JSON): a line diff of the text, hex for binary. */
  | { readonly kind: 'text'; readonly hunks: readonly { readonly op: '+' | '-' | ' '; readonly text: string }[] };

const differ = create({
  objectHash: (item: object, index?: number) => {
    const id = (item as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? `id:${id}` : (JSON.stringify(item) ?? `#${index}`);
  },
  arrays: { detectMove: true, includeValueOnMove: true },
});

/** The diff of two state blobs (null = no state). */
export function diffStates(a: Uint8Array | null, b: Uint8Array | null): StateDiff {
  if (a === b || (a && b && Buffer.compare(a, b) === 0)) return { kind: 'equal' };
  const ja = a === null ? null : bytesAsJson(a);
  const jb = b === null ? null : bytesAsJson(b);
  if (ja !== undefined && jb !== undefined) return diffJson(ja, jb);
  return { kind: 'text', hunks: textHunks(asText(a), asText(b)) };
}

export function diffJson(a: unknown, b: unknown): StateDiff {
  const delta = differ.diff(a, b);
  if (delta === undefined) return { kind: 'equal' };
  const changes: Change[] = [];
  flatten(delta, [], a, changes);
  return { kind: 'json', changes };
}

function asText(b: Uint8Array | null): string {
  if (b === null) return '';
  const t = Buffer.from(b).toString('utf8');
  // Binary: one hex line per 32 bytes, so the line diff still points at where the bytes differ.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what marks the bytes as binary
  if (t.includes('\uFFFD') || /[\0-\x08\x0E-\x1F]/.test(t)) return (toHex(b).match(/.{1,64}/g) ?? []).join('\n');
  return t;
}

function textHunks(a: string, b: string): { op: '+' | '-' | ' '; text: string }[] {
  return diffLines(a, b).map((p) => ({ op: p.added ? '+' : p.removed ? '-' : ' ', text: p.value }));
}

/** Walks a jsondiffpatch delta (see its docs/deltas.md), emitting one change per leaf. `before` is the old value at path. */
function flatten(delta: Delta, path: PathSegment[], before: unknown, out: Change[]): void {
  if (Array.isArray(delta)) {
    if (delta.length === 1) out.push({ op: 'added', path, value: delta[0] });
    else if (delta.length === 2) out.push({ op: 'changed', path, before: delta[0], after: delta[1] });
    else if (delta[2] === 0) out.push({ op: 'removed', path, value: delta[0] });
    else if (delta[2] === 3) out.push({ op: 'moved', path, to: delta[1] as number, value: delta[0] });
    else out.push({ op: 'changed', path, before, after: undefined }); // text diffs are disabled below
    return;
  }
  if (delta === null || typeof delta !== 'object') return;
  const obj = delta as Record<string, Delta>;
  if ((obj as Record<string, unknown>)._t === 'a') {
    const arr = Array.isArray(before) ? before : [];
    for (const [k, d] of Object.entries(obj)) {
      if (k === '_t') continue;
      // "_3" addresses the old array (removed/moved), "3" the new one (added/changed).
      const index = Number(k.startsWith('_') ? k.slice(1) : k);
      flatten(d, [...path, index], arr[index], out);
    }
    return;
  }
  const rec = before !== null && typeof before === 'object' ? (before as Record<string, unknown>) : {};
  for (const [k, d] of Object.entries(obj)) flatten(d, [...path, k], rec[k], out);
}

/** "$.notes[2].text" style rendering of a path. */
export function formatPath(path: readonly PathSegment[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('')}`;
}

/** Parses "$.a.b[0]", "a.b[0]", "/a/b/0" (JSON pointer) into segments. */
export function parsePath(s: string): PathSegment[] {
  if (s.startsWith('/'))
    return s
      .slice(1)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map(num);
  const out: PathSegment[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  const body = s.startsWith('$') ? s.slice(1) : s;
  for (const m of body.matchAll(re)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(`"${m[3]}"`) as string);
    else out.push(m[1]!);
  }
  return out;
}

/**
 * What is wrong with a path parsePath would read leniently (it skips what it does not understand: "$..count" and
 * "$.count[" both read as $.count), or undefined when it is well formed. For what must not guess: a data breakpoint
 * on a path that is not the one written would watch something else.
 */
export function pathProblem(s: string): string | undefined {
  const at = (i: number, why: string) => `${s} is not a state path: at character ${i + 1} (${s.slice(i)}): ${why}`;
  if (s.trim() === '') return 'an empty path is not a state path (the whole state is $)';
  if (s.startsWith('/')) {
    const tilde = /~(?![01])/.exec(s);
    return tilde ? at(tilde.index, 'in a /pointer, ~ is ~0 (for ~) or ~1 (for /)') : undefined;
  }
  let i = s.startsWith('$') ? 1 : 0;
  // A bare name may open the path ("count"), as evaluate reads it; after that, each name follows a dot.
  let nameNeedsDot = i === 1;
  while (i < s.length) {
    const rest = s.slice(i);
    if (rest.startsWith('.')) {
      const name = /^\.([^.[\]]+)/.exec(rest);
      if (!name) return at(i, 'a . must be followed by a name');
      i += name[0].length;
    } else if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      const key = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
      if (index) i += index[0].length;
      else if (key) {
        try {
          JSON.parse(key[1]!);
        } catch (e) {
          return at(i, `the key is not a JSON string (${(e as Error).message})`);
        }
        i += key[0].length;
      } else if (!rest.includes(']')) return at(i, '[ without its ]');
      else return at(i, `an index is digits ([3]), a key is quoted (["x"])`);
    } else if (rest.startsWith(']')) {
      return at(i, '] without its [');
    } else {
      const name = /^[^.[\]]+/.exec(rest)!;
      if (nameNeedsDot) return at(i, `a name after ${s[i - 1]} needs a dot before it`);
      i += name[0].length;
    }
    nameNeedsDot = true;
  }
  return undefined;
}

function num(p: string): PathSegment {
  return /^\d+$/.test(p) ? Number(p) : p;
}

/** The value at a path, or undefined when the path does not exist. */
export function valueAt(v: unknown, path: readonly PathSegment[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Human lines for a diff (CLI). */
export function renderDiff(d: StateDiff): string[] {
  switch (d.kind) {
    case 'equal':
      return ['(states are identical)'];
    case 'json':
      return d.changes.map((c) => {
        const at = formatPath(c.path);
        switch (c.op) {
          case 'added':
            return `+ ${at}: ${JSON.stringify(c.value)}`;
          case 'removed':
            return `- ${at}: ${JSON.stringify(c.value)}`;
          case 'changed':
            return `~ ${at}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`;
          case 'moved':
            return `↷ ${at} → [${c.to}]: ${JSON.stringify(c.value)}`;
          default: {
            const never: never = c;
            return String(never);
          }
        }
      });
    case 'text':
      return d.hunks.flatMap((h) =>
        h.text
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => `${h.op} ${l}`),
      );
    default: {
      const never: never = d;
      return [String(never)];
    }
  }
}
