/** A count with its noun, as the CLI, the debug adapter and the hub print it: "1 entry", "0 entries", "2 blobs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
