/**
 * The hub the Studio reads, as the hub feature's components share it: a tiny store of its own (one value, set only
 * by these commands), so the hub's parts stay in this folder. Opening or closing a hub makes the service announce
 * `actors`; the actor list then reloads as it always does.
 */
import { create } from 'zustand';
import type { HubView } from '../../../studio/contract.ts';
import { api } from '../../api/client.ts';

interface HubState {
  readonly hub: HubView | null;
  /** The Open hub dialog. */
  readonly dialog: boolean;
  setHub(hub: HubView | null): void;
  setDialog(open: boolean): void;
}

export const useHub = create<HubState>()((set) => ({
  hub: null,
  dialog: false,
  setHub: (hub) => set({ hub }),
  setDialog: (dialog) => set({ dialog }),
}));

export async function openHub(url: string): Promise<HubView> {
  const hub = await api().call('openHub', { url });
  useHub.getState().setHub(hub);
  return hub;
}

export async function closeHub(): Promise<void> {
  await api().call('closeHub', {});
  useHub.getState().setHub(null);
}

/** What the service says is open (on connect, and when the actor list reloads: last-seen times move). */
export async function refreshHub(): Promise<void> {
  useHub.getState().setHub(await api().call('hub', {}));
}

/** Keeps the hub view current: on every (re)connect, and whenever the service announces that the actors changed. */
export function wireHub(): () => void {
  const refresh = () => void refreshHub().catch(() => {});
  const offs = [api().onState((state) => state === 'open' && refresh()), api().on('actors', refresh)];
  return () => offs.forEach((off) => off());
}
