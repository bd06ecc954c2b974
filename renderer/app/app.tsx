/** The Studio's layout: actors and logs on the left, graph and list in the middle, details on the right. */
import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { ActorTree } from '../features/actor-tree/actor-tree.tsx';
import { LogPanel } from '../features/actor-tree/log-panel.tsx';
import { ChainGraph } from '../features/chain-graph/chain-graph.tsx';
import { DiffPanel } from '../features/diff-view/diff-view.tsx';
import { EntryDetails } from '../features/entry-details/entry-details.tsx';
import { EntryList } from '../features/entry-list/entry-list.tsx';
import { HttpPanel } from '../features/http-panel/http-panel.tsx';
import { Splitter } from '../features/layout/splitter.tsx';
import { MessagePanel } from '../features/message-panel/message-panel.tsx';
import { Notices } from '../features/notices/notices.tsx';
import { openFiles, OpenManifestDialog } from '../features/open-manifest/open-manifest-dialog.tsx';
import { OpenHubDialog } from '../features/hub/open-hub-dialog.tsx';
import { RefusedBanner } from '../features/connection/refused-banner.tsx';
import { ReadOnlyBanner } from '../features/db-status/read-only-banner.tsx';
import { useDb } from '../features/db-status/db-status.ts';
import { ComponentChangedBanner } from '../features/replay/component-changed-banner.tsx';
import { ReplayPanel } from '../features/replay/replay-panel.tsx';
import { HelpOverlay, useShortcuts } from '../features/shortcuts/shortcuts.tsx';
import { StateView } from '../features/state-view/state-view.tsx';
import { Stepper } from '../features/stepping/stepper.tsx';
import { Toolbar } from '../features/toolbar/toolbar.tsx';
import { actions, useCurrentActor, useStudio, type Drawer, type RightTab } from '../store/index.ts';

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
  const sizes = useStudio((s) => s.sizes);
  const leftRef = useRef<HTMLElement>(null);
  // Sizes the user dragged to; unset, the stylesheet's defaults (which follow the window) apply.
  const style = {
    ...(sizes.left !== null ? { '--left-w': `${sizes.left}px` } : {}),
    ...(sizes.right !== null ? { '--right-w': `${sizes.right}px` } : {}),
    ...(sizes.drawer !== null ? { '--drawer-h': `${sizes.drawer}px` } : {}),
  } as CSSProperties;
  const db = useDb();
  // Another process writes the db: nothing can be opened here (firing still goes to its actors' ports).
  const readOnly = db?.readOnly === true;
  // The HTTP history is kept per db: once the service says which one it serves, that db's history is shown.
  const dbPath = db?.path;
  useEffect(() => {
    if (dbPath !== undefined) useStudio.getState().setHttpHistoryDb(dbPath);
  }, [dbPath]);

  return (
    <div
      className="studio"
      style={style}
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
        // A load error is shown where it can be fixed: in the open dialog, with file and line.
        void openFiles(files).then(
          (r) => !r.ok && useStudio.getState().setOpenDialog(true),
          (e: unknown) => actions.report('Opening the dropped files', e),
        );
      }}
    >
      <Toolbar />
      <div className="banners">
        <RefusedBanner />
        <ReadOnlyBanner />
        <ComponentChangedBanner />
      </div>
      <aside className="left" ref={leftRef}>
        <ActorTree />
        <LogPanel />
        <Splitter
          panel="left"
          label="Resize the actors and logs column"
          grows="right"
          target={() => leftRef.current}
          min={150}
          maxFraction={0.4}
        />
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
      <Notices />
      {dragging && <div className="drop-hint">Drop a manifest.toml with its .wasm to open it</div>}
    </div>
  );
}

function RightColumn() {
  const tab = useStudio((s) => s.rightTab);
  const setTab = useStudio((s) => s.setRightTab);
  const ref = useRef<HTMLElement>(null);
  return (
    <aside className="right" ref={ref}>
      <Splitter
        panel="right"
        label="Resize the inspector column"
        grows="left"
        target={() => ref.current}
        min={240}
        maxFraction={0.5}
      />
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
  const ref = useRef<HTMLElement>(null);
  const tabs: readonly { id: Exclude<Drawer, null>; label: string }[] = [
    { id: 'http', label: 'HTTP' },
    { id: 'message', label: 'Message' },
  ];
  return (
    <section className={`drawer ${drawer ? 'open' : ''}`} aria-label="Request panels" ref={ref}>
      {drawer && (
        <Splitter
          panel="drawer"
          label="Resize the request panels"
          grows="up"
          target={() => ref.current}
          min={90}
          maxFraction={0.7}
        />
      )}
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
