/** Small display helpers shared by panels. */
export function shortHash(h: string | null | undefined): string {
  return h ? h.slice(0, 10) : '—';
}

export function pretty(v: unknown): string {
  if (v === undefined) return '—';
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

export function pathText(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
}
