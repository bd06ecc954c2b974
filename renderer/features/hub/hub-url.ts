/**
 * What is wrong with a hub URL before it is sent, in the user's terms (the service refuses the same URLs, naming its
 * own params: "invalid params for openHub: url: a postgres:// URL"). Accepts exactly what the service does
 * (studio/service/params.ts: `postgres://` or `postgresql://`, no spaces, at most 4096 characters).
 */

const EXAMPLE = 'postgres://user@host:5432/database';
const MAX = 4096;

/** Why `url` (trimmed) cannot be opened as a hub, or null. An empty URL is no error: there is nothing to open yet. */
export function hubUrlError(url: string): string | null {
  const u = url.trim();
  if (u === '') return null;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(u)?.[1];
  if (scheme === undefined) return `A hub URL starts with postgres://: postgres://${u.replace(/^\/+/, '')}`;
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    const pg = /^postgres(ql)?$/i.test(scheme);
    return pg
      ? `Write the scheme in lower case: ${scheme.toLowerCase()}://${u.slice(scheme.length + 3)}`
      : `A hub is a PostgreSQL database, not ${scheme}://…: its URL starts with postgres://, e.g. ${EXAMPLE}`;
  }
  const rest = u.slice(scheme.length + 3);
  if (rest === '') return `The URL names no server after ${scheme}://, e.g. ${EXAMPLE}`;
  if (/\s/.test(u)) return 'A hub URL has no spaces (write a space in a password as %20).';
  if (u.length > MAX) return `The URL is ${u.length} characters long; at most ${MAX}.`;
  return null;
}
