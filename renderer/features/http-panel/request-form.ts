/**
 * What the HTTP panel's form says before a request goes: the headers read from their text, and what is wrong with
 * the path or a header line, in the user's terms (the service would refuse them too, naming its own fields).
 */

export type ReadHeaders = { readonly headers: [string, string][] } | { readonly error: string };

/** A header name as HTTP allows it (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One "name: value" per line; blank lines are skipped. The first line that is not a header is the error. */
export function readHeaders(text: string): ReadHeaders {
  const headers: [string, string][] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (!line) continue;
    const i = line.indexOf(':');
    const name = i < 0 ? line : line.slice(0, i).trim();
    if (i < 0) return { error: `Header line ${n + 1} has no “:”: write it as “name: value”.` };
    if (!name) return { error: `Header line ${n + 1} has no name before its “:”.` };
    if (!TOKEN.test(name)) {
      return { error: `Header line ${n + 1}: “${name}” cannot be a header name (no spaces, quotes or separators).` };
    }
    headers.push([name, line.slice(i + 1).trim()]);
  }
  return { headers };
}

/** Why the path cannot be sent, or null. An empty path is `/`. */
export function pathError(path: string): string | null {
  if (path === '' || path.startsWith('/')) return null;
  return `The path starts with “/”: /${path.replace(/^\/*/, '')}`;
}
