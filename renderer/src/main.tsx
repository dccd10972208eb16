// The renderer's composition root: picks the transport (Electron's preload or the browser host), builds the
// services, connects the stream and renders the app.
import './zod-config.js';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { detectTransport } from './api/environment.js';
import { guardAdminSession } from './api/guard-client.js';
import { App } from './app/App.js';
import { connectStream } from './app/connect-stream.js';
import { ServicesContext, type Services } from './app/services.js';
import { watchPairing } from './app/watch-pairing.js';
import { PhotoCache } from './common/photo-cache.js';
import { KeyboardController } from './keyboard/keyboard-controller.js';
import { LiveFeed } from './live/live-feed.js';
import { createChime } from './sound/chime.js';
import { useLintel } from './store/store.js';
import './styles.css';

const transport = detectTransport(window);
const client = guardAdminSession(transport.client, () => useLintel.getState().adminSessionLost());
const feed = new LiveFeed();
const keyboard = new KeyboardController(document, useLintel);
const chime = createChime();
const services: Services = { transportKind: transport.kind, client, feed, keyboard, chime, photos: new PhotoCache(client) };

// Figures for benchmarks and end-to-end tests (see live/live-metrics.ts).
Object.defineProperty(window, '__lintelMetrics', { value: feed.metrics.view(() => feed.droppedStale), configurable: true });

keyboard.start();
chime.unlockOnGesture(window);
connectStream(transport.stream, feed, useLintel);

watchPairing(client, useLintel);

// The first figures before the stream's first health message.
void client['health:get']({}).then((result) => {
  if (result.ok && useLintel.getState().health === null) useLintel.getState().receiveHealth(result.value, Date.now());
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ServicesContext.Provider value={services}>
        <App />
      </ServicesContext.Provider>
    </StrictMode>,
  );
}
