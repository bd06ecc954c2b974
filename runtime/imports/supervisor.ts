import { theaterInterface } from '../component/names.ts';
import type { ImportHandler } from './types.ts';

/** theater:simple/supervisor — spawning and managing children happens in the runtime, on the main thread. */
export const supervisorHandler: ImportHandler = {
  iface: theaterInterface('supervisor'),
  grantedBy: 'supervisor',
  imports: (ctx) => ({
    spawn: (manifest: string, initState: Uint8Array | undefined) => ctx.host('spawn', [manifest, initState ?? null]),
    listChildren: () => ctx.host('list-children', []),
    stopChild: (id: string) => ctx.host('stop-child', [id]),
    restartChild: (id: string) => ctx.host('restart-child', [id]),
    getChildState: (id: string) => ctx.host('get-child-state', [id]) ?? undefined,
  }),
};
