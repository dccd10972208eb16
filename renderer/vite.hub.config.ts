// Builds the site hub's admin UI (hub.html, src/hub) into dist/hub-renderer, which `lintel hub serve
// --admin-port` serves; the same settings as the kiosk UI's build (vite.config.ts), its own output folder, so
// neither build empties the other's and a terminal never serves the hub's page.
import { defineConfig, mergeConfig } from 'vite';

import kioskConfig from './vite.config.js';

export default mergeConfig(
  kioskConfig,
  defineConfig({
    build: {
      outDir: '../dist/hub-renderer',
      rollupOptions: { input: 'hub.html' },
    },
  }),
);
