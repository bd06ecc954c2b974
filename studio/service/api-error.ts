/**
 * Errors that cross the transport as data (the contract's ApiError). Anything else thrown inside the service is
 * reported as `internal` with its message, so a bug shows up in the UI instead of killing the host.
 */
import type { ApiError } from '../contract.ts';

export type ApiErrorCode = NonNullable<ApiError['code']>;

export class StudioError extends Error {
  override readonly name = 'StudioError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): StudioError => new StudioError('bad-request', message);
export const notFound = (message: string): StudioError => new StudioError('not-found', message);
export const readOnly = (message: string): StudioError => new StudioError('read-only', message);

export function toApiError(e: unknown): ApiError {
  if (e instanceof StudioError) return { message: e.message, code: e.code };
  if (e instanceof Error) return { message: e.message, code: 'internal' };
  return { message: String(e), code: 'internal' };
}
