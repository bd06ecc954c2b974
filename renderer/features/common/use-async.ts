import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client.ts';

export type Async<T> =
  | { readonly status: 'idle' | 'loading' }
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'error'; readonly message: string };

const IDLE = { status: 'idle' } as const;
const LOADING = { status: 'loading' } as const;

interface Settled<T> {
  readonly deps: readonly unknown[];
  readonly state: Async<T>;
}

const sameDeps = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/**
 * Runs `load` whenever `deps` change and keeps only the latest answer (a slow stateAt for an entry the user already
 * stepped past must not overwrite the current one). A null `load` means "nothing to load" (idle). While a new
 * answer loads, the last good one stays on screen instead of flickering to "loading". `deps` must name everything
 * `load` uses, as for useEffect.
 */
export function useAsync<T>(load: (() => Promise<T>) | null, deps: readonly unknown[]): Async<T> {
  const [settled, setSettled] = useState<Settled<T> | null>(null);
  useEffect(
    () => {
      if (!load) return;
      let live = true;
      load().then(
        (value) => live && setSettled({ deps, state: { status: 'ok', value } }),
        (e: unknown) => live && setSettled({ deps, state: { status: 'error', message: errorMessage(e) } }),
      );
      return () => {
        live = false;
      };
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a generic hook: the caller's deps are the effect's
    deps,
  );
  if (!load) return IDLE;
  if (settled && sameDeps(settled.deps, deps)) return settled.state;
  return settled?.state.status === 'ok' ? settled.state : LOADING;
}
