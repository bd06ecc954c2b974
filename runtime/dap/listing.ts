/**
 * The chain listing: a read-only text document the adapter serves (DAP `source` by reference) with one line per
 * entry of a branch, line = seq + 1. Stack frames point into it, so an editor shows where the debugger stands and
 * moves the highlight as you step either way; "Run to Cursor"/"Jump to Cursor" on a line is a goto to that entry,
 * and each line carries its entry's hash prefix, so an entry found by hash is a search away.
 */
import { checkedBlob, DamagedChainError, hashEquals, summarizeEntry, toHex, type PathEntry } from '../index.ts';
import type { BranchView } from './chain-view.ts';

/** Entries beyond this have no line (the listing of a million entries would be ~100 MB of text). */
export const LISTING_MAX = 100_000;

export function listingLine(e: PathEntry): string {
  const blob = (h: Uint8Array) =>
    hashEquals(h, e.input)
      ? checkedBlob(e, 'input', e.inputBytes)
      : hashEquals(h, e.output)
        ? checkedBlob(e, 'output', e.outputBytes)
        : checkedBlob(e, 'state', e.stateBytes);
  const fn = `${e.iface.replace(/^[^/]*\//, '').replace(/@[\d.]+$/, '')}.${e.fn}`;
  const indent = e.kind === 'import' ? '  ' : '';
  let summary: string;
  try {
    summary = summarizeEntry(e, (h) => blob(h) ?? undefined, 120);
  } catch (err) {
    // One damaged entry is one line that says so; the rest of the listing stays readable.
    if (!(err instanceof DamagedChainError)) throw err;
    summary = `DAMAGED: ${err.message}`;
  }
  return `#${String(e.seq).padEnd(6)} ${indent}${e.kind.padEnd(6)} ${fn}  ${summary}  ${toHex(e.hash).slice(0, 12)}`;
}

export async function listingText(view: BranchView): Promise<string> {
  const lines: string[] = [];
  for await (const e of view.walk(0, 1)) {
    lines.push(listingLine(e));
    if (lines.length >= LISTING_MAX) {
      lines.push(`(the listing stops at ${LISTING_MAX} entries; the branch has ${view.length})`);
      break;
    }
  }
  return `${lines.join('\n')}\n`;
}
