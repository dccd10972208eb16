// The hub admin UI's composition root: the client over HTTP and the app.
import '../zod-config.js';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import '../styles.css';
import './hub.css';
import { createBrowserHubClient } from './hub-client.js';
import { HubApp } from './HubApp.js';
import { HubClientContext } from './hub-services.js';

const client = createBrowserHubClient(window.fetch.bind(window));
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <HubClientContext.Provider value={client}>
        <HubApp />
      </HubClientContext.Provider>
    </StrictMode>,
  );
}
