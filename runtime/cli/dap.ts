/** `theater dap`: the Debug Adapter Protocol on stdin/stdout, for VS Code, nvim-dap and other DAP clients. */
import { appendFileSync } from 'node:fs';
import { format } from 'node:util';
import type { Command } from 'commander';
import { serveDebugAdapter } from '../dap/index.ts';

export function registerDap(program: Command): void {
  program
    .command('dap')
    .description(
      'a debug adapter (DAP over stdio) for a chain: step either way, breakpoints on calls and on state paths; run by an editor',
    )
    .option('--trace <file>', 'append every protocol message to this file, one line each')
    .action(async (o: { trace?: string }) => {
      // stdout carries the protocol: anything else that would print there goes to stderr instead.
      const toStderr = (...a: unknown[]) => void process.stderr.write(`${format(...a)}\n`);
      console.log = console.info = console.debug = console.warn = toStderr;
      const trace = o.trace ? (line: string) => appendFileSync(o.trace!, `${line}\n`) : undefined;
      await serveDebugAdapter(process.stdin, process.stdout, trace);
      // Let the last response leave before exiting (stdout is a pipe: writes are asynchronous).
      process.stdout.write('', () => process.exit(0));
    });
}
