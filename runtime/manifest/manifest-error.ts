import path from 'node:path';

/**
 * A manifest problem a human can act on: where (file, line, column), which field, what was wrong, and what to write.
 * `message` is the fully formatted text so an uncaught error is still useful.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Field path, e.g. `handlers[0].config.port`. */
  readonly field?: string;
  /** What to write instead, e.g. `Write port = 8080.` */
  readonly hint?: string;
  /** The bare problem, without location, field or hint. */
  readonly reason: string;

  constructor(opts: {
    file: string;
    reason: string;
    line?: number;
    column?: number;
    field?: string;
    hint?: string;
    cause?: unknown;
  }) {
    super(compose(opts.file, opts), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.file = opts.file;
    this.reason = opts.reason;
    if (opts.line !== undefined) this.line = opts.line;
    if (opts.column !== undefined) this.column = opts.column;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.hint !== undefined) this.hint = opts.hint;
  }
}

function compose(
  shownFile: string,
  e: { reason: string; line?: number; column?: number; field?: string; hint?: string },
): string {
  let where = shownFile;
  if (e.line !== undefined) where += `:${e.line}`;
  if (e.line !== undefined && e.column !== undefined) where += `:${e.column}`;
  const field = e.field ? ` ${e.field}` : '';
  const hint = e.hint ? ` ${e.hint}` : '';
  return `${where}${field}: ${e.reason}${hint}`;
}

/**
 * One line, e.g. `examples/counter/manifest.toml:8:10 handlers[0].config.port: expected an integer 1..65535, got "80a". Write port = 8080.`
 * The file is shown relative to the working directory when it lies inside it (shorter, and clickable in terminals).
 */
export function formatManifestError(e: ManifestError): string {
  const rel = path.relative(process.cwd(), e.file);
  const shown = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : e.file;
  return compose(shown, e);
}

/** How a bad value is shown in "got ..." — quoted strings so `"80a"` and `80` read differently. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `a date-time (${v.toISOString()})`;
  if (Array.isArray(v)) return 'an array';
  if (v === null || v === undefined) return 'nothing';
  return 'a table';
}

function editDistance(a: string, b: string): number {
  // Optimal-string-alignment distance: Levenshtein plus adjacent swaps, since `prot` for `port` is a classic typo.
  // Names here are short, so the full O(n*m) table costs nothing.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

/** The closest candidate, if close enough to be a plausible typo (case and `-`/`_` differences are free). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = norm(word) === norm(c) ? 0 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}
