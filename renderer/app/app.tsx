/** The Studio's layout: actors and logs on the left, graph and list in the middle, details on the right. */
import { useEffect, useState } from 'react';
import { ActorTree } from '../features/actor-tree/actor-tree.tsx';
import { LogPanel } from '../features/actor-tree/log-panel.tsx';
import { ChainGraph } from '../features/chain-graph/chain-graph.tsx';
import { DiffPanel } from '../features/diff-view/diff-view.tsx';
import { EntryDetails } from '../features/entry-details/entry-details.tsx';
import { EntryList } from '../features/entry-list/entry-list.tsx';
import { HttpPanel } from '../features/http-panel/http-panel.tsx';
import { MessagePanel } from '../features/message-panel/message-panel.tsx';
import { OpenHubDialog } from '../features/hub/open-hub-dialog.tsx';
import { afterOpen, openFiles, OpenManifestDialog } from '../features/open-manifest/open-manifest-dialog.tsx';
import { ReadOnlyBanner } from '../features/db-status/read-only-banner.tsx';
import { useDb } from '../features/db-status/db-status.ts';
import { ComponentChangedBanner } from '../features/replay/component-changed-banner.tsx';
import { ReplayPanel } from '../features/replay/replay-panel.tsx';
import { HelpOverlay, useShortcuts } from '../features/shortcuts/shortcuts.tsx';
import { StateView } from '../features/state-view/state-view.tsx';
import { Stepper } from '../features/stepping/stepper.tsx';
import { Toolbar } from '../features/toolbar/toolbar.tsx';
import { useCurrentActor, useStudio, type Drawer, type RightTab } from '../store/index.ts';

const TABS: readonly { id: RightTab; label: string }[] = [
  { id: 'details', label: 'Details' },
  { id: 'state', label: 'State' },
  { id: 'diff', label: 'Diff' },
  { id: 'replay', label: 'Replay' },
];

export function App() {
  const theme = useStudio((s) => s.theme);
  // Requests go to actors this Studio runs; a hub actor's node is the one that receives them.
  const hubActor = useCurrentActor()?.node !== undefined;
  useShortcuts();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const [dragging, setDragging] = useState(false);
  // Another process writes the db: nothing can be opened here (firing still goes to its actors' ports).
  const readOnly = useDb()?.readOnly === true;

  return (
    <div
      className="studio"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files') && !readOnly) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const files = [...e.dataTransfer.files];
        if (files.length === 0 || readOnly) return;
        void openFiles(files).then((r) =>
          r.ok ? afterOpen(r) : (useStudio.getState().setOpenDialog(true), undefined),
        );
      }}
    >
      <Toolbar />
      <div className="banners">
        <ReadOnlyBanner />
        <ComponentChangedBanner />
      </div>
      <aside className="left">
        <ActorTree />
        <LogPanel />
      </aside>
      <main className="center">
        <ChainGraph />
        <Stepper />
        <EntryList />
        {!hubActor && <BottomDrawer />}
      </main>
      <RightColumn />
      <OpenManifestDialog />
      <OpenHubDialog />
      <HelpOverlay />
      {dragging && <div className="drop-hint">Drop a manifest.toml with its .wasm to open it</div>}
    </div>
  );
}

function RightColumn() {
  const tab = useStudio((s) => s.rightTab);
  const setTab = useStudio((s) => s.setRightTab);
  return (
    <aside className="right">
      <div role="tablist" aria-label="Inspector" className="tabs">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            title={`${t.label} (${i + 1})`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)?.label} className="tab-body">
        {tab === 'details' && <EntryDetails />}
        {tab === 'state' && <StateView />}
        {tab === 'diff' && <DiffPanel />}
        {tab === 'replay' && <ReplayPanel />}
      </div>
    </aside>
  );
}

function BottomDrawer() {
  const drawer = useStudio((s) => s.drawer);
  const setDrawer = useStudio((s) => s.setDrawer);
  const tabs: readonly { id: Exclude<Drawer, null>; label: string }[] = [
    { id: 'http', label: 'HTTP' },
    { id: 'message', label: 'Message' },
  ];
  return (
    <section className={`drawer ${drawer ? 'open' : ''}`} aria-label="Request panels">
      <div role="tablist" aria-label="Request panels" className="tabs">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={drawer === t.id}
            onClick={() => setDrawer(drawer === t.id ? null : t.id)}
          >
            {t.label}
          </button>
        ))}
        <span className="spacer" />
        <button
          type="button"
          className="plain"
          aria-label={drawer ? 'Collapse panel' : 'Expand panel'}
          onClick={() => setDrawer(drawer ? null : 'http')}
        >
          {drawer ? '▾' : '▴'}
        </button>
      </div>
      {drawer === 'http' && <HttpPanel />}
      {drawer === 'message' && <MessagePanel />}
    </section>
  );
}
