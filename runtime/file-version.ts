/**
 * A file's version from its stat, for caches of what was read from it (a component's hash, a parsed manifest): the
 * same inode, size, mtime and ctime mean the same bytes — unless the file changed within a timestamp tick of the
 * read. Linux stamps files from a coarse clock (a jiffy, 1-10 ms), so a same-size rewrite just after a read can keep
 * every field (git's "racily clean" entries). A file changed less than RACY_MS before it was read has no version:
 * the caller reads it again next time, until its stat is old enough to vouch for it.
 */
import type { Stats } from 'node:fs';

const RACY_MS = 1000;

export function fileVersion(st: Stats): string | undefined {
  if (!st.isFile() || Date.now() - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) return undefined;
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}
