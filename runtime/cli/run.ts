/**
 * `theater run <manifest>`: the runtime, headless. Logs stream to stdout; Ctrl-C commits and exits cleanly. With a
 * hub (`--hub`, or a config's [hub]), a shipper on its own thread copies every committed entry there.
 */
import { toHex } from '../chain/entry.ts';
import { listenFor } from '../actors/servers.ts';
import { ActorSystem } from '../actors/system.ts';
import { checkComponent } from '../component/check.ts';
import { defaultCacheDir, loadComponent } from '../component/loader.ts';
import { loadManifest } from '../manifest/index.ts';
import { HubLink } from '../hub/hub-link.ts';
import { hubSettings, type HubFlags } from '../hub/node-config.ts';
import type { ShipperStatus } from '../hub/shipper.ts';
import { refuseIfLeased } from '../store/index.ts';

export type RunOptions = HubFlags;

export async function runCommand(manifestPath: string, db: string, o: RunOptions): Promise<void> {
  // What the user named is checked before the db is opened: a mistyped manifest path (or a manifest or component
  // that cannot load) left an empty .theater/chain.db behind. The component is loaded again by start(), from the
  // loader's cache.
  const manifest = loadManifest(manifestPath);
  checkComponent(await loadComponent(manifest.componentPath, defaultCacheDir()), manifest);
  const hub = hubSettings(o, db);
  // THEATER_EPHEMERAL_PORTS=1 binds every server to a free port (tests; several runtimes on one machine).
  const ephemeralPorts = process.env.THEATER_EPHEMERAL_PORTS === '1';
  // A db another process writes is refused first (exit 3, naming it: its writer holds these very ports, most
  // likely). Then the manifest's ports are taken, before the db is opened: a port another program holds fails the
  // run with nothing created and nothing recorded (it created the db, or recorded a resume and a stop into one).
  // The sockets stay open and are the actor's own: nobody can take the port between a check and the start.
  refuseIfLeased(db);
  const servers = await listenFor(manifest, ephemeralPorts);
  let system: ActorSystem;
  try {
    system = ActorSystem.open({ db, ephemeralPorts });
  } catch (e) {
    await servers.close();
    throw e;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  system.on('log', (actor, msg) => out(`[${actor}] ${msg}`));
  system.on('listening', (actor, l) =>
    out(
      l.kind === 'http-server'
        ? `${actor}: HTTP on http://${l.host}:${l.port}`
        : `${actor}: messages on tcp://${l.host}:${l.port}`,
    ),
  );
  system.on('failure', (actor, err) => out(`[${actor}] ✗ ${err.kind}: ${err.message}`));

  let id: string;
  try {
    id = await system.start(manifest, { servers });
  } catch (e) {
    await system.close();
    await servers.close(); // closed already when the start got as far as to give them to the actor
    throw e;
  }
  const a = system.actor(id)!;
  // After the start is committed, so the first page already holds it.
  const link =
    hub &&
    HubLink.start({ db, hub: hub.url, node: hub.node, keyFile: hub.keyFile }, (s) => {
      const line = shipLine(s);
      if (line) out(line);
    });
  out(`theater: ${id} running (chain at #${a.host.head.seq}); chain db: ${db}. Ctrl-C to stop.`);

  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    await system.close();
    // Read after closing: the stop event is the last entry, and it is committed now.
    const head = a.host.head.hash;
    if (link) {
      const r = await link.stop(DRAIN_MS);
      if (!r.caughtUp) out(`theater: hub: not everything is shipped yet; the next run with this db ships the rest`);
    }
    out(
      `theater: ${signal}: stopped; everything recorded is committed${head ? `, head ${toHex(head).slice(0, 16)}` : ''}`,
    );
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await new Promise(() => {}); // run until a signal
}

/** How long a stopping node keeps shipping what it committed (a hub that is down must not hold up the exit). */
const DRAIN_MS = 5000;

/** One line of shipper news for the log (shipped pages are not news: `theater hub status` shows progress). */
function shipLine(s: ShipperStatus): string | undefined {
  switch (s.kind) {
    case 'connected':
      return `theater: hub: ${s.message}`;
    case 'error':
      return `theater: hub: ${s.fatal ? 'stopped shipping: ' : ''}${s.message}${s.fatal ? '' : ' (retrying)'}`;
    case 'caught-up':
      return `theater: hub: shipped through local #${s.through}`;
    case 'shipped':
      return undefined;
    default: {
      const never: never = s;
      return String(never);
    }
  }
}
