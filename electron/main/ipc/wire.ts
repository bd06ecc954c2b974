/**
 * The IPC wiring, pure of Electron: one `handle` per contract method on the invoke channels, each going through
 * handleInvoke (sender check, payload validation). register.ts passes the real ipcMain; tests pass a fake one and
 * send crafted events through exactly the handlers the app installs.
 */
import { METHODS } from '../../../studio/contract.ts';
import { invokeChannel } from '../../shared/ipc.ts';
import { handleInvoke, type Invoker } from './handle-invoke.ts';

/** The part of an IPC invoke event the handlers read: the frame that sent it (null once it navigated away). */
export interface InvokeEventLike {
  readonly senderFrame?: { readonly url: string } | null;
}

/** The part of Electron's ipcMain the wiring uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export function wireIpc(ipc: IpcMainLike, service: Invoker): () => void {
  for (const method of METHODS) {
    // senderFrame is the frame that sent it: check that, not the window. Only the first argument is the payload.
    ipc.handle(invokeChannel(method), (event, params: unknown) =>
      handleInvoke(service, event.senderFrame?.url, method, params),
    );
  }
  return () => METHODS.forEach((m) => ipc.removeHandler(invokeChannel(m)));
}
