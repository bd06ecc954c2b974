/** One ipcMain handler per contract method (see wire.ts), and StudioEvents forwarded to the window. Nothing else uses ipcMain. */
import { ipcMain, type WebContents } from 'electron';
import type { EventName } from '../../../studio/contract.ts';
import { EVENT_CHANNEL, type IpcEvent } from '../../shared/ipc.ts';
import type { ServedApi } from '../../../studio/service/served.ts';
import { wireIpc } from './wire.ts';

export function registerIpc(service: ServedApi): () => void {
  return wireIpc(ipcMain, service);
}

export function forwardEvents(service: ServedApi, target: () => WebContents | undefined): () => void {
  return service.onEvent((event: EventName, payload: unknown) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, { event, payload } satisfies IpcEvent);
  });
}
