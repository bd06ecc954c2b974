/**
 * The import side of the contract: one handler per WIT interface the runtime provides. `buildImports` assembles
 * jco's import object for exactly the interfaces a component imports (Theater's own and WASI's, in wasi/); the
 * recorder then wraps all of it.
 */
import { messageServerHostHandler } from './message-server-host.ts';
import { randomHandler } from './random.ts';
import { runtimeHandler } from './runtime.ts';
import { supervisorHandler } from './supervisor.ts';
import { timingHandler } from './timing.ts';
import type { ActorContext, ImportHandler } from './types.ts';
import type { ImportObject } from '../chain/recorder.ts';
import { WASI_HANDLERS } from './wasi/index.ts';

export const IMPORT_HANDLERS: readonly ImportHandler[] = [
  runtimeHandler,
  messageServerHostHandler,
  supervisorHandler,
  timingHandler,
  randomHandler,
  ...WASI_HANDLERS,
];

export function importHandler(iface: string): ImportHandler | undefined {
  return IMPORT_HANDLERS.find((h) => h.iface === iface);
}

export function buildImports(ctx: ActorContext, ifaces: readonly string[]): ImportObject {
  const out: ImportObject = {};
  for (const iface of ifaces) {
    const h = importHandler(iface);
    if (!h) throw new Error(`no handler provides ${iface}`); // checked when the component is loaded
    out[iface] = h.imports(ctx) as ImportObject[string];
  }
  return out;
}
