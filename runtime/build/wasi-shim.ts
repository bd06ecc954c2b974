/**
 * componentize-js and jco's wasm-tools run as WebAssembly inside this process, on jco's WASI shim, and see only the
 * folders the shim preopens (none by default since shim 0.26). A build opens exactly the project's wit/ folder.
 */
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

/** The Node shim takes host paths; its published types describe the browser shim's in-memory files instead. */
const setPreopens = _setPreopens as unknown as (preopens: Record<string, string>) => void;

export function preopenOnly(dir: string): void {
  setPreopens({ [dir]: dir });
}
