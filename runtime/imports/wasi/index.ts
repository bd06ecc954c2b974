/** The WASI 0.2 interfaces Theater provides: every call recorded by the one interceptor, answered from the record in replay. */
import type { ImportHandler } from '../types.ts';
import { wasiCliHandlers } from './cli.ts';
import { wasiClocksHandlers } from './clocks.ts';
import { wasiFilesystemHandlers } from './filesystem.ts';
import { wasiIoHandlers } from './io.ts';
import { wasiRandomHandlers } from './random.ts';

export const WASI_HANDLERS: readonly ImportHandler[] = [
  ...wasiCliHandlers,
  ...wasiClocksHandlers,
  ...wasiIoHandlers,
  ...wasiRandomHandlers,
  ...wasiFilesystemHandlers,
];
export { wasiRefusal } from './refused.ts';
