/** `theater run <manifest>`: the runtime, headless. Logs stream to stdout; Ctrl-C commits and exits cleanly. */
import { toHex } from '../chain/entry.ts';
import { ActorSystem } from '../actors/system.ts';
import { ActorLoadError } from '../component/check.ts';

export async function runCommand(manifest: string, db: string): Promise<void> {
  // THEATER_EPHEMERAL_PORTS=1 binds every server to a free port (tests; several runtimes on one machine).
  const system = ActorSystem.open({ db, ephemeralPorts: process.env.THEATER_EPHEMERAL_PORTS === '1' });
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
    id = await system.start(manifest);
  } catch (e) {
    await system.close();
    if (e instanceof ActorLoadError) throw new Error(e.message, { cause: e });
    throw e;
  }
  const a = system.actor(id)!;
  out(`theater: ${id} running (chain at #${a.host.head.seq}); chain db: ${db}. Ctrl-C to stop.`);

  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    await system.close();
    // Read after closing: the stop event is the last entry, and it is committed now.
    const head = a.host.head.hash;
    out(
      `theater: ${signal}: stopped; everything recorded is committed${head ? `, head ${toHex(head).slice(0, 16)}` : ''}`,
    );
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await new Promise(() => {}); // run until a signal
}
