/** wasi:clocks — real time, recorded, so replay sees the times the actor saw (and a replayed block does not wait). */
import type { ImportHandler } from '../types.ts';
import { Pollable } from './io.ts';

export const wasiClocksHandlers: readonly ImportHandler[] = [
  {
    iface: 'wasi:clocks/wall-clock',
    grantedBy: null,
    imports: () => ({
      now: () => {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    }),
  },
  {
    iface: 'wasi:clocks/monotonic-clock',
    grantedBy: null,
    imports: () => ({
      now: () => process.hrtime.bigint(),
      resolution: () => 1_000n,
      subscribeInstant: (when: bigint) => new Pollable(when),
      subscribeDuration: (ns: bigint) => new Pollable(process.hrtime.bigint() + ns),
    }),
  },
];
