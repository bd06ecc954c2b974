/** Typed reads of manifest fields that fail with a located, field-named ManifestError. */
import { ManifestError, closest, describeValue } from './manifest-error.ts';
import { formatPath, pathKey, type LocatedToml, type TomlPath } from './located-toml.ts';
import type { SourceLoc } from './types.ts';

export type Table = Record<string, unknown>;

export const isTable = (v: unknown): v is Table =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

export class FieldChecks {
  constructor(
    readonly file: string,
    private readonly doc: LocatedToml,
  ) {}

  /**
   * Where `path` was written. A missing path falls back to its nearest written ancestor (e.g. a missing `port`
   * points at its `[[handler]]` header), and a missing top-level key to 1:1, where it would be added.
   */
  loc(path: TomlPath, at: 'key' | 'value' = 'value'): SourceLoc {
    for (let n = path.length; n > 0; n--) {
      const e = this.doc.locs.get(pathKey(path.slice(0, n)));
      if (e) {
        const p = at === 'key' && e.key && n === path.length ? e.key : e.value;
        return { file: this.file, line: p.line, column: p.column };
      }
    }
    return { file: this.file, line: 1, column: 1 };
  }

  written(path: TomlPath): boolean {
    return this.doc.locs.has(pathKey(path));
  }

  fail(path: TomlPath, reason: string, hint?: string, at: 'key' | 'value' = 'value'): never {
    const l = this.loc(path, at);
    throw new ManifestError({
      file: this.file,
      line: l.line,
      column: l.column,
      reason,
      ...(path.length > 0 ? { field: formatPath(path) } : {}),
      ...(hint !== undefined ? { hint } : {}),
    });
  }

  /** "got ..." text: the source as written when we have it (so `0x1F90` shows as written), else a description. */
  got(path: TomlPath, v: unknown): string {
    const raw = this.doc.locs.get(pathKey(path))?.raw;
    return raw !== undefined && typeof v !== 'string' && raw.length <= 60 ? raw : describeValue(v);
  }

  table(path: TomlPath, v: unknown, hint?: string): Table {
    if (!isTable(v)) this.fail(path, `expected a table, got ${this.got(path, v)}.`, hint);
    return v;
  }

  /**
   * Unknown keys are errors: a typo like `compnent_path` must not silently drop a setting. `hintFor` lets a caller
   * explain keys that belong to another form (e.g. `config` in a flat `[[handler]]`).
   */
  onlyKeys(path: TomlPath, t: Table, allowed: readonly string[], hintFor?: (key: string) => string | undefined): void {
    for (const k of Object.keys(t)) {
      if (allowed.includes(k)) continue;
      const near = closest(k, allowed);
      const hint =
        hintFor?.(k) ??
        (near ? `Did you mean ${near}?` : allowed.length ? `Allowed here: ${allowed.join(', ')}.` : 'Remove it.');
      this.fail([...path, k], `unknown key ${JSON.stringify(k)}.`, hint, 'key');
    }
  }

  str(path: TomlPath, v: unknown, hint?: string): string {
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${this.got(path, v)}.`, hint);
    return v;
  }

  nonEmptyStr(path: TomlPath, v: unknown, hint?: string): string {
    const s = this.str(path, v, hint);
    if (s.trim() === '') this.fail(path, 'must not be empty.', hint);
    return s;
  }

  /** An integer in [min, max]; floats (`8080.0`), strings (`"8080"`) and out-of-range values are refused. */
  int(path: TomlPath, v: unknown, min: number, max: number, hint: string): number {
    const kind = this.doc.locs.get(pathKey(path))?.kind;
    const ok = typeof v === 'number' && kind === 'integer' && Number.isSafeInteger(v) && v >= min && v <= max;
    if (!ok) this.fail(path, `expected an integer ${min}..${max}, got ${this.got(path, v)}.`, hint);
    return v as number;
  }
}
