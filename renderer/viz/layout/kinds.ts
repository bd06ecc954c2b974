/** One palette for entry kinds, shared by the graph, the list and the legend so a colour means the same everywhere. */
import { KIND_ORDER, type EntryKind } from '../../../studio/contract.ts';

export type ThemeName = 'dark' | 'light';

const PALETTE: Record<ThemeName, Record<EntryKind, string>> = {
  dark: { call: '#4fa3ff', return: '#3fbf7f', error: '#f05a5a', import: '#c38cff', event: '#9a9a9a' },
  light: { call: '#1f6fd1', return: '#1d8a55', error: '#c92a2a', import: '#8041c9', event: '#6b6b6b' },
};

export const KIND_LABEL: Record<EntryKind, string> = {
  call: 'export call',
  return: 'result',
  error: 'error',
  import: 'import call',
  event: 'event',
};

export function kindColor(kind: EntryKind, theme: ThemeName): string {
  return PALETTE[theme][kind];
}

/** GraphWindow packs kinds as indices into KIND_ORDER; unknown indices (a newer service) read as 'event'. */
export function kindAt(index: number): EntryKind {
  return KIND_ORDER[index] ?? 'event';
}

export { KIND_ORDER };
