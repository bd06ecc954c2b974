/**
 * The servers a manifest asks for (HTTP, the message port), listening before anything of their actor exists: a port
 * another process holds refuses the start before a single entry is recorded, and `theater run`, which listens before
 * it opens the db, before it creates one. Listening first does not let a request in early: a request that arrives
 * before the actor is ready waits at the gate until `open` (the actor's init call is always its first).
 */
import type { ExportOutcome } from '../chain/recorder.ts';
import { serveHttp } from '../ingress/http-server.ts';
import { serveMessages } from '../ingress/message-server.ts';
import { ListenError, type Ingress, type ServerHandle } from '../ingress/types.ts';
import type { Manifest } from '../manifest/index.ts';
import type { ActorServers, Listener } from './types.ts';

/**
 * Listens where the manifest says (every port 0 when `ephemeralPorts`). A port that cannot be had throws a
 * ListenError that names it and the manifest line that asks for it; whatever listened already is closed again.
 */
export async function listenFor(manifest: Manifest, ephemeralPorts: boolean): Promise<ActorServers> {
  let admit!: (route: Route) => void;
  const gate = new Promise<Route>((resolve) => (admit = resolve));
  // The servers call the actor by the manifest's name; the gate sends each call to the id the actor started under.
  const waiting: Ingress = {
    call: (_, iface, fn, params, origin) => gate.then((r) => r.to.call(r.id, iface, fn, params, origin)),
    send: (_, msg, origin, cause) => gate.then((r) => r.to.send(r.id, msg, origin, cause)),
    request: (_, msg, origin, cause) => gate.then((r) => r.to.request(r.id, msg, origin, cause)),
  };
  const handles: ServerHandle[] = [];
  const listeners: Listener[] = [];
  const port = (p: number) => (ephemeralPorts ? 0 : p);
  let closing: Promise<void> | undefined;
  const close = () => {
    admit({ id: manifest.name, to: notStarted(manifest.name) }); // no-op once open
    return (closing ??= Promise.all(handles.map((h) => h.close())).then(() => {}));
  };
  try {
    for (const h of manifest.handlers) {
      let s: ServerHandle;
      try {
        if (h.type === 'http-server') s = await serveHttp(waiting, manifest.name, { ...h, port: port(h.port) });
        else if (h.type === 'message-server' && h.port !== undefined)
          s = await serveMessages(waiting, manifest.name, { host: h.host, port: port(h.port) });
        else continue;
      } catch (e) {
        if (!(e instanceof ListenError)) throw e;
        throw new ListenError(`${h.loc.file}:${h.loc.line}:${h.loc.column}: ${e.message}`, { cause: e });
      }
      handles.push(s);
      listeners.push({ kind: h.type, host: h.host, port: s.port });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { listeners, open: (to, id) => admit({ id, to }), close };
}

interface Route {
  readonly id: string;
  readonly to: Ingress;
}

/** Where requests go when the servers close before the actor started: each is told so, none reaches anything. */
function notStarted(name: string): Ingress {
  const refused = (): Promise<ExportOutcome> =>
    Promise.resolve({ ok: false, error: { kind: 'startup', message: `${name} did not start` } });
  return { call: refused, send: refused, request: refused };
}
