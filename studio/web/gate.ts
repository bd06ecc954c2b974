/**
 * Who may talk to the web host. Pure functions over request headers so they can be tested without sockets.
 *
 * - Host must name this server (127.0.0.1:<port> or localhost:<port>): a page on another site that rebinds its DNS
 *   name to 127.0.0.1 still sends its own name as Host, and is refused (DNS rebinding).
 * - Origin, when a browser sends one, must be this server: another site's page cannot drive the API.
 * - The per-launch token, from the URL (?token=) or the cookie the first authorized page load set.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface GateConfig {
  readonly port: number;
  readonly token: string;
}

export type GateResult =
  { readonly ok: true; readonly viaQuery: boolean } | { readonly ok: false; readonly reason: string };

export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The cookie is named per port: cookies ignore ports, and two Studios on one machine must not clobber each other. */
export function cookieName(port: number): string {
  return `theater_studio_${port}`;
}

export function sessionCookie(cfg: GateConfig): string {
  return `${cookieName(cfg.port)}=${cfg.token}; HttpOnly; SameSite=Strict; Path=/`;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function checkRequest(cfg: GateConfig, headers: IncomingHttpHeaders, url: URL): GateResult {
  const host = headers.host;
  if (!host || !allowedHosts(cfg.port).includes(host.toLowerCase()))
    return { ok: false, reason: `Host ${JSON.stringify(host ?? '')} is not this Studio` };
  const origin = headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`) {
    return { ok: false, reason: `Origin ${JSON.stringify(origin)} is not this Studio` };
  }
  const query = url.searchParams.get('token');
  if (query !== null)
    return sameToken(query, cfg.token)
      ? { ok: true, viaQuery: true }
      : {
          ok: false,
          reason: 'wrong token: this URL is from another run of the Studio; open the URL it printed when it started',
        };
  const cookie = cookieValue(headers.cookie, cookieName(cfg.port));
  if (cookie !== undefined && sameToken(cookie, cfg.token)) return { ok: true, viaQuery: false };
  // Copied links (Copy link) carry no token, by design: the browser that opened the printed URL has the cookie.
  return {
    ok: false,
    reason:
      'no token: open the URL the Studio printed (it carries ?token=...) in this browser once; ' +
      'links copied in the Studio (they carry no token) then open here until the Studio restarts',
  };
}

/** The page's CSP: scripts only from us, API only over our own WebSocket. */
export function webCsp(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React and d3 set style attributes; no inline scripts are allowed, which is what matters.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
