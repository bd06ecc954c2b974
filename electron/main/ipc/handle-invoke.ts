/**
 * One IPC request: sender check, then the same validation as the web host (StudioService.invoke's schemas), then
 * the service. Pure of Electron so tests can feed it crafted senders and payloads.
 */
import type { MethodName } from '../../../studio/contract.ts';
import type { IpcReply } from '../../shared/ipc.ts';
import { StudioError, toApiError } from '../../../studio/service/api-error.ts';
import { isAppUrl } from '../security.ts';

/** The part of StudioService an IPC handler needs. */
export interface Invoker {
  invoke(method: unknown, params: unknown): Promise<unknown>;
}

export async function handleInvoke(
  service: Invoker,
  senderUrl: string | undefined | null,
  method: MethodName,
  params: unknown,
): Promise<IpcReply> {
  try {
    if (!isAppUrl(senderUrl))
      throw new StudioError(
        'bad-request',
        `refused: IPC from ${JSON.stringify(senderUrl ?? '')}, which is not the Studio`,
      );
    // Errors cross as data: Electron would reduce a thrown Error to its message.
    return { ok: true, result: (await service.invoke(method, params)) ?? null };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}
