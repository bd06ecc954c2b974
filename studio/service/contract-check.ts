/**
 * The contract declares its own unions (the renderer must not import the runtime); these compile-time checks keep
 * them equal to the runtime's. A mismatch is a type error here, naming the union. Nothing runs.
 */
import type {
  ACTOR_STATUSES as RUNTIME_STATUSES,
  ENTRY_KINDS,
  ORIGINS as RUNTIME_ORIGINS,
} from '../../runtime/index.ts';
import type { ACTOR_STATUSES, KIND_ORDER, ORIGINS } from '../contract.ts';

/** True only when A and B are the same type (tuples: same members in the same order). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const contractMatchesRuntime: {
  readonly kinds: Same<typeof KIND_ORDER, typeof ENTRY_KINDS>;
  readonly origins: Same<typeof ORIGINS, typeof RUNTIME_ORIGINS>;
  readonly statuses: Same<typeof ACTOR_STATUSES, typeof RUNTIME_STATUSES>;
} = { kinds: true, origins: true, statuses: true };
