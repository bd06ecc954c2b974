/**
 * wasi:cli — what a program expects around it. stdout and stderr are the actor's log (each line shown live like a
 * runtime.log line, and recorded as the write it was); stdin is empty; the environment and arguments come from the
 * manifest (`[env]`, `args`); there is no terminal; `exit` stops the actor.
 */
import { LineBuffer } from '../../chain/log-lines.ts';
import { HostTrap } from '../../chain/recorder.ts';
import type { ActorContext, ImportHandler } from '../types.ts';
import { InputStream, OutputStream } from './io.ts';

function logStream(ctx: ActorContext, label: 'stdout' | 'stderr'): OutputStream {
  // The same cutting into lines as the log read back from the chain (chain/log-lines.ts).
  const lines = new LineBuffer();
  return new OutputStream(label, (bytes) => {
    for (const line of lines.push(bytes)) ctx.log(line);
  });
}

class TerminalInput {}
class TerminalOutput {}

export const wasiCliHandlers: readonly ImportHandler[] = [
  {
    iface: 'wasi:cli/environment',
    grantedBy: null,
    imports: (ctx) => ({
      getEnvironment: () => ctx.env().map(([k, v]) => [k, v]),
      getArguments: () => [...ctx.args()],
      initialCwd: () => undefined,
    }),
  },
  {
    iface: 'wasi:cli/exit',
    grantedBy: null,
    imports: (ctx) => ({
      exit: (status: { tag: 'ok' | 'err' }) => {
        ctx.requestShutdown(null);
        // exit never returns: the call ends here, as an error that says why. WASI 0.2 passes on only success or
        // failure (libc's exit(3) arrives as err), so the message does not invent a number.
        throw new HostTrap(
          status?.tag === 'ok' ? 'the actor called exit(0)' : 'the actor called exit with a failure status (non-zero)',
        );
      },
    }),
  },
  { iface: 'wasi:cli/stdin', grantedBy: null, imports: () => ({ getStdin: () => new InputStream() }) },
  { iface: 'wasi:cli/stdout', grantedBy: null, imports: (ctx) => ({ getStdout: () => logStream(ctx, 'stdout') }) },
  { iface: 'wasi:cli/stderr', grantedBy: null, imports: (ctx) => ({ getStderr: () => logStream(ctx, 'stderr') }) },
  { iface: 'wasi:cli/terminal-input', grantedBy: null, imports: () => ({ TerminalInput }) },
  { iface: 'wasi:cli/terminal-output', grantedBy: null, imports: () => ({ TerminalOutput }) },
  { iface: 'wasi:cli/terminal-stdin', grantedBy: null, imports: () => ({ getTerminalStdin: () => undefined }) },
  { iface: 'wasi:cli/terminal-stdout', grantedBy: null, imports: () => ({ getTerminalStdout: () => undefined }) },
  { iface: 'wasi:cli/terminal-stderr', grantedBy: null, imports: () => ({ getTerminalStderr: () => undefined }) },
];
