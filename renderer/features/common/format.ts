/** Small display helpers shared by panels. */

/**
 * 1234567 -> "1,234,567". Not toLocaleString: its first call sets up ICU number formatting, 30-100 ms of main
 * thread on the Studio's first render.
 */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A count with its noun, digits grouped: "1 entry", "0 entries", "1,000 entries" (as the CLI's plural()). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
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
  return path.length === 0
    ? '(root)'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
        .join('')
        .replace(/^\./, '');
}
