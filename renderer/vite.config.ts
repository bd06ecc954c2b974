import { defineConfig } from 'vite';

// The renderer is served under a strict CSP (`script-src 'self'`, no inline scripts, no CDNs): vite's build only
// emits external module scripts, and `base: './'` lets the same output load from file:// (Electron) and from the
// web host at any path.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // No inlined module-preload polyfill script: it would need 'unsafe-inline'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
