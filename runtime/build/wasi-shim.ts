/**
 * componentize-js and jco's wasm-tools run as WebAssembly inside this process, on jco's WASI shim, and see only the
 * folders the shim preopens (none by default since shim 0.26). The guest's libc reads the preopens once, when it is
 * first instantiated, and keeps them for the life of the process: preopening just one project's wit/ folder made every
 * later build of another project in the same process (a test run, the Studio, a bench) fail with a wasm-tools panic
 * ("No such file or directory"). So the builds see the file system from its root, as the `jco` CLI does; they are
 * our own tools, run with the same rights as this process anyway.
 */
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

/** The Node shim takes host paths; its published types describe the browser shim's in-memory files instead. */
const setPreopens = _setPreopens as unknown as (preopens: Record<string, string>) => void;

export function preopenRoot(): void {
  setPreopens({ '/': '/' });
}
