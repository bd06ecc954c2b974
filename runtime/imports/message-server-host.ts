import { theaterInterface } from '../component/names.ts';
import type { ImportHandler } from './types.ts';

/** theater:simple/message-server-host — actor-to-actor messages, routed by the runtime. */
export const messageServerHostHandler: ImportHandler = {
  iface: theaterInterface('message-server-host'),
  grantedBy: 'message-server',
  imports: (ctx) => ({
    send: (actorId: string, msg: Uint8Array) => void ctx.host('send', [actorId, msg]),
    request: (actorId: string, msg: Uint8Array) => ctx.host('request', [actorId, msg]),
  }),
};
