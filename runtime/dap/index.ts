/** `theater dap`'s engine: a Debug Adapter Protocol session over a recorded chain, run over any pair of streams. */
import { TheaterDebugSession } from './session.ts';

export { TheaterDebugSession };

/**
 * Serves one debug session over `input`/`output` (stdio for an editor); resolves when the client disconnects or
 * closes the stream.
 * `trace` gets every protocol message, one line each (`theater dap --trace file`).
 */
export function serveDebugAdapter(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  trace?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const session = new TheaterDebugSession(trace, resolve);
    input.on('end', () => resolve());
    input.on('close', () => resolve());
    session.start(input, output);
  });
}
