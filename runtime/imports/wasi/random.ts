/** wasi:random — real randomness (also for the "insecure" variants), recorded so replay sees the same values. */
import { randomBytes } from 'node:crypto';
import { HostTrap } from '../../chain/recorder.ts';
import { MAX_RANDOM_BYTES } from '../random.ts';
import type { ImportHandler } from '../types.ts';

function bytes(len: bigint): Uint8Array {
  if (len > BigInt(MAX_RANDOM_BYTES))
    throw new HostTrap(`get-random-bytes(${len}) exceeds the limit of ${MAX_RANDOM_BYTES}`);
  return new Uint8Array(randomBytes(Number(len)));
}
const u64 = (): bigint => randomBytes(8).readBigUInt64LE();

export const wasiRandomHandlers: readonly ImportHandler[] = [
  {
    iface: 'wasi:random/random',
    grantedBy: null,
    imports: () => ({ getRandomBytes: bytes, getRandomU64: u64 }),
  },
  {
    iface: 'wasi:random/insecure',
    grantedBy: null,
    imports: () => ({ getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 }),
  },
  { iface: 'wasi:random/insecure-seed', grantedBy: null, imports: () => ({ insecureSeed: () => [u64(), u64()] }) },
];
