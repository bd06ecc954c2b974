/** One ipcMain handler per contract method, and StudioEvents forwarded to the window. Nothing else uses ipcMain. */
import { ipcMain, type WebContents } from 'electron';
import { METHODS, type EventName } from '../../shared/contract.ts';
import { EVENT_CHANNEL, invokeChannel, type IpcEvent } from '../../shared/ipc.ts';
import type { StudioService } from '../../service/studio-service.ts';
import { handleInvoke } from './handle-invoke.ts';

export function registerIpc(service: StudioService): () => void {
  for (const method of METHODS) {
    // senderFrame is the frame that sent it (null once it navigated away or was destroyed): check that, not the window.
    ipcMain.handle(invokeChannel(method), (event, params: unknown) => handleInvoke(service, event.senderFrame?.url, method, params));
  }
  return () => METHODS.forEach((m) => ipcMain.removeHandler(invokeChannel(m)));
}

export function forwardEvents(service: StudioService, target: () => WebContents | undefined): () => void {
  return service.onEvent((event: EventName, payload: unknown) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, { event, payload } satisfies IpcEvent);
  });
}
