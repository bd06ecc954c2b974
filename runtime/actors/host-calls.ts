/**
 * The main-thread side of the blocking imports (message-server-host, supervisor): what the runtime does when an
 * actor asks. Failures are answers (`err`), never exceptions: a bad request from a guest must not hurt the host.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Hash, Origin } from '../chain/entry.ts';
import type { ExportOutcome } from '../chain/recorder.ts';
import { theaterInterface } from '../component/names.ts';
import { loadManifest, type Manifest, type RemoteAddress } from '../manifest/index.ts';
import type { RpcReply, RpcRequest } from './protocol.ts';
import { RemotePeers } from './remote-peers.ts';
import type { RunningActor, StartOptions } from './types.ts';

/** What answering a host call needs of the runtime (ActorSystem provides it). */
export interface HostCallSystem {
  actor(id: string): RunningActor | undefined;
  send(id: string, msg: Uint8Array, origin: Origin, cause: Hash | null): Promise<ExportOutcome>;
  request(id: string, msg: Uint8Array, origin: Origin, cause: Hash | null): Promise<ExportOutcome>;
  start(manifest: Manifest, so: StartOptions): Promise<string>;
  stop(id: string, data: Uint8Array | null, suspend: boolean, cause: Hash | null): Promise<void>;
  restart(id: string, reason: string, cause: Hash | null): Promise<void>;
  /** A line in an actor's log (a message to another node that it refused after the send had returned). */
  log(actor: string, msg: string): void;
}

export class HostCalls {
  /** Actors blocked in a `request` host call, and whom they wait for: a request back to them would deadlock. */
  private readonly waitingOn = new Map<string, string>();

  /** Actors on other nodes, reached through their message ports (a manifest's `remotes`). */
  private readonly remote: RemotePeers;

  constructor(private readonly system: HostCallSystem) {
    this.remote = new RemotePeers((caller, peer, error) =>
      system.log(caller, `a message to ${peer} was refused: ${error}`),
    );
  }

  /** Closes the connections to other nodes. */
  close(): void {
    this.remote.close();
  }

  async answer(caller: string, req: RpcRequest): Promise<RpcReply> {
    try {
      return { ok: await this.dispatch(caller, req) };
    } catch (e) {
      return { err: e instanceof Error ? e.message : String(e) };
    }
  }

  private async dispatch(caller: string, req: RpcRequest): Promise<unknown> {
    const system = this.system;
    const self = system.actor(caller);
    if (!self) throw new Error(`actor ${caller} is not running`);
    const [a0, a1] = req.args;
    switch (req.op) {
      case 'send': {
        const away = remoteOf(system, self, String(a0));
        if (away) {
          await this.remote.send(caller, away, a1 as Uint8Array, req.cause).catch((e: Error) => {
            throw new Error(`send to ${String(a0)}: ${e.message}`);
          });
          return undefined;
        }
        const to = target(system, String(a0));
        // One-way: the sender goes on once the message is queued, not when it is handled.
        void system.send(to, a1 as Uint8Array, 'actor', req.cause);
        return undefined;
      }
      case 'request': {
        const away = remoteOf(system, self, String(a0));
        if (away) return this.remote.request(away, a1 as Uint8Array, req.cause);
        const to = target(system, String(a0));
        if (to === caller) throw new Error('an actor cannot request itself (it would wait for its own reply)');
        for (let t: string | undefined = to; t; t = this.waitingOn.get(t)) {
          if (t === caller)
            throw new Error(`request to ${to} would deadlock: ${to} is waiting (directly or not) for ${caller}`);
        }
        this.waitingOn.set(caller, to);
        try {
          const out = await system.request(to, a1 as Uint8Array, 'actor', req.cause);
          if (!out.ok) throw new Error(`${to} failed (${out.error.kind}): ${out.error.message}`);
          const [reply] = out.response as [Uint8Array | undefined];
          return reply ?? new Uint8Array();
        } finally {
          this.waitingOn.delete(caller);
        }
      }
      case 'spawn': {
        const path = childManifestPath(self.manifest.dir, String(a0));
        const manifest = loadManifest(path);
        insideOrThrow(self.manifest.dir, manifest.componentPath, 'component');
        // The child's start event records the supervisor's head as its cause: the spawn import is that head's child.
        return system.start(manifest, {
          parent: caller,
          initState: (a1 as Uint8Array | null) ?? undefined,
          cause: req.cause,
        });
      }
      case 'list-children':
        return [...self.children];
      case 'stop-child':
        await system.stop(child(system, caller, String(a0)), null, false, req.cause);
        return undefined;
      case 'restart-child':
        await system.restart(child(system, caller, String(a0)), `restarted by its supervisor ${caller}`, req.cause);
        return undefined;
      case 'get-child-state':
        return system.actor(child(system, caller, String(a0)))?.host.state ?? null;
      default: {
        const never: never = req.op;
        throw new Error(`unknown host call ${String(never)}`);
      }
    }
  }
}

/** The address of `id` when it is not an actor here but one the caller's manifest lists under `remotes`. */
function remoteOf(system: HostCallSystem, self: RunningActor, id: string): RemoteAddress | undefined {
  if (system.actor(id)) return undefined;
  for (const h of self.manifest.handlers) if (h.type === 'message-server') return h.remotes?.get(id);
  return undefined;
}

function target(system: HostCallSystem, id: string): string {
  const a = system.actor(id);
  if (!a) throw new Error(`no running actor ${id}`);
  if (!a.host.component.exports.includes(theaterInterface('message-server-client'))) {
    throw new Error(`actor ${id} does not accept messages (it does not export message-server-client)`);
  }
  return id;
}

function child(system: HostCallSystem, parent: string, id: string): string {
  if (!system.actor(parent)?.children.has(id)) throw new Error(`${id} is not a child of ${parent}`);
  return id;
}

/** A child's manifest must lie inside its parent's manifest folder: a guest cannot make us read other files. */
export function childManifestPath(parentDir: string, requested: string): string {
  if (isAbsolute(requested))
    throw new Error(`spawn: manifest path must be relative to the parent's folder, got ${requested}`);
  const path = resolve(parentDir, requested);
  insideOrThrow(parentDir, path, 'manifest');
  return path;
}

function insideOrThrow(root: string, path: string, what: string): void {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      throw new Error(`spawn: ${what} not found: ${p}`);
    }
  };
  const rel = relative(real(root), real(path));
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`spawn: the ${what} ${path} is outside the parent's folder ${root}; children must live inside it`);
  }
}
