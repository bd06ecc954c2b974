/**
 * WASI interfaces an actor may not import, because what they do could not be replayed from the chain or would
 * reach past the actor's isolation. One line per package says why and what to use instead.
 */
const REFUSED: readonly { readonly prefix: string; readonly why: string }[] = [
  {
    prefix: 'wasi:sockets/',
    why: 'actors open no sockets; serve with an http-server or message-server handler, talk to actors with message-server-host',
  },
  {
    prefix: 'wasi:http/',
    why:
      'actors make no outgoing HTTP (it could not be replayed) and serve HTTP through theater:simple/http-server; ' +
      "build with `theater build` (componentize-js: disableFeatures: ['http', 'fetch-event'])",
  },
];

/** The refusal lines for imports nobody provides: one per WASI package (non-WASI names are left to the caller). */
export function wasiRefusal(ifaces: readonly string[]): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const iface of ifaces) {
    if (!iface.startsWith('wasi:')) continue;
    const rule = REFUSED.find((r) => iface.startsWith(r.prefix));
    const key = rule?.prefix ?? iface;
    if (seen.has(key)) continue;
    seen.add(key);
    const named = ifaces.filter((i) => (rule ? i.startsWith(rule.prefix) : i === iface)).join(', ');
    lines.push(
      rule
        ? `the component imports ${named}: ${rule.why}.`
        : `the component imports ${named}, which Theater does not provide (it provides wasi:cli, wasi:clocks, ` +
            'wasi:io, wasi:random and an empty wasi:filesystem).',
    );
  }
  return lines;
}
