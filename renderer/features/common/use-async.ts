import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client.ts';

export type Async<T> =
  | { readonly status: 'idle' | 'loading' }
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'error'; readonly message: string };

/**
 * Run `load` whenever `deps` change and keep only the latest answer (a slow stateAt for an entry the user already
 * stepped past must not overwrite the current one). `load` returning null means "nothing to load".
 */
export function useAsync<T>(load: () => Promise<T> | null, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<Async<T>>({ status: 'idle' });
  useEffect(() => {
    const p = load();
    if (!p) {
      setState({ status: 'idle' });
      return;
    }
    let live = true;
    setState((prev) => (prev.status === 'ok' ? prev : { status: 'loading' }));
    p.then(
      (value) => live && setState({ status: 'ok', value }),
      (e: unknown) => live && setState({ status: 'error', message: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
