import { randomBytes } from 'node:crypto';
import { theaterInterface } from '../component/names.ts';
import { HostTrap } from '../chain/recorder.ts';
import type { ImportHandler } from './types.ts';

/** One call may ask for at most this much; more is a guest bug, and it traps rather than stalling the host. */
export const MAX_RANDOM_BYTES = 1024 * 1024;

/** theater:simple/random — real randomness, recorded so replay sees the same bytes. */
export const randomHandler: ImportHandler = {
  iface: theaterInterface('random'),
  grantedBy: 'random',
  imports: () => ({
    randomBytes: (len: number) => {
      if (len > MAX_RANDOM_BYTES) throw new HostTrap(`random-bytes(${len}) exceeds the limit of ${MAX_RANDOM_BYTES}`);
      return new Uint8Array(randomBytes(len));
    },
  }),
};
