import { theaterInterface } from '../component/names.ts';
import type { ImportHandler } from './types.ts';

/** theater:simple/runtime — every actor has it. */
export const runtimeHandler: ImportHandler = {
  iface: theaterInterface('runtime'),
  grantedBy: null,
  imports: (ctx) => ({
    log: (msg: string) => void ctx.log(msg),
    getState: () => ctx.state() ?? new Uint8Array(),
    shutdown: (data: Uint8Array | undefined) => void ctx.requestShutdown(data ?? null),
  }),
};
