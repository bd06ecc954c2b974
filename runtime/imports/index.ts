/**
 * The import side of the contract: one handler per WIT interface the runtime provides. `buildImports` assembles
 * jco's import object for exactly the interfaces a component imports; the recorder then wraps all of it.
 */
import { messageServerHostHandler } from './message-server-host.ts';
import { randomHandler } from './random.ts';
import { runtimeHandler } from './runtime.ts';
import { supervisorHandler } from './supervisor.ts';
import { timingHandler } from './timing.ts';
import type { ActorContext, HostFunction, ImportHandler } from './types.ts';

export const IMPORT_HANDLERS: readonly ImportHandler[] = [
  runtimeHandler,
  messageServerHostHandler,
  supervisorHandler,
  timingHandler,
  randomHandler,
];

export function importHandler(iface: string): ImportHandler | undefined {
  return IMPORT_HANDLERS.find((h) => h.iface === iface);
}

export function buildImports(
  ctx: ActorContext,
  ifaces: readonly string[],
): Record<string, Record<string, HostFunction>> {
  const out: Record<string, Record<string, HostFunction>> = {};
  for (const iface of ifaces) {
    const h = importHandler(iface);
    if (!h) throw new Error(`no handler provides ${iface}`); // checked when the component is loaded
    out[iface] = h.imports(ctx);
  }
  return out;
}
