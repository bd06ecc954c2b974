/**
 * The renderer's only door to the main process: `window.studio.invoke(method, params)` for the contract's METHODS
 * and `window.studio.on(event, cb)` for its EVENTS. Unknown names are refused here; the raw ipcRenderer never leaves.
 * A failed call rejects with a plain `{message, code}` object (contextBridge would strip an Error's extra fields).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { EVENTS, METHODS, type EventName, type MethodName } from '../../studio/contract.ts';
import { EVENT_CHANNEL, invokeChannel, type IpcEvent, type IpcReply } from '../shared/ipc.ts';

const methods = new Set<string>(METHODS);
const events = new Set<string>(EVENTS);

const studio = {
  async invoke(method: string, params: unknown): Promise<unknown> {
    if (!methods.has(method)) throw { message: `unknown method ${JSON.stringify(method)}`, code: 'bad-request' };
    const reply = (await ipcRenderer.invoke(invokeChannel(method as MethodName), params)) as IpcReply;
    if (reply.ok) return reply.result;
    throw { message: reply.error.message, code: reply.error.code };
  },
  on(event: string, cb: (payload: unknown) => void): () => void {
    if (!events.has(event)) throw new Error(`unknown event ${JSON.stringify(event)}`);
    const listener = (_e: unknown, msg: IpcEvent) => {
      if (msg.event === (event as EventName)) cb(msg.payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, listener);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, listener);
  },
};

contextBridge.exposeInMainWorld('studio', studio);
