// Builds the kiosk UI into dist/renderer: relative asset paths so Electron can load it from file:// and the
// browser host from its own origin, and nothing inline, for the host's strict Content-Security-Policy.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // `vite build renderer` runs with this folder as the root; outDir is relative to it.
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // The polyfill is an inline script, which `script-src 'self'` refuses; every supported browser has modulepreload.
    modulePreload: { polyfill: false },
    // Small assets would otherwise become data: URLs in the CSS or JS.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
