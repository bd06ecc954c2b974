/** The renderer's entry point: wires the service's events and the address bar into the store, renders the Studio. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { syncUrl } from './app/url-sync.ts';
import { wireHub } from './features/hub/hub-state.ts';
import { actions, useStudio } from './store/index.ts';

syncUrl(useStudio, actions);
actions.connect();
wireHub();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
