import { theaterInterface } from '../component/names.ts';
import type { ImportHandler } from './types.ts';

/** theater:simple/timing — real time, recorded so replay sees the same values (and does not sleep). */
export const timingHandler: ImportHandler = {
  iface: theaterInterface('timing'),
  grantedBy: 'timing',
  imports: () => {
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    return {
      now: () => BigInt(Date.now()),
      // Blocks only this actor's worker. A sleep past the call's time limit is ended by the watchdog like any
      // other runaway call.
      sleep: (ms: bigint) => void Atomics.wait(sleeper, 0, 0, Number(ms)),
    };
  },
};
