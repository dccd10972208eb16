// What must happen before Electron's `ready` event, as the side effects of a module main.ts imports: the main
// entry is an ES module, loaded asynchronously, and Electron's ESM guide only promises that the side effects of
// the entry point's imports run before `ready`.
import { app, protocol } from 'electron';

import { APP_SCHEME } from './app-origin.js';
import { readMainConfig, type MainConfig } from './main-config.js';

// Chromium fixes a scheme's privileges at startup. standard: a real origin, relative URLs and module scripts;
// secure: a secure context (like https); supportFetchAPI: fetch() of our own files; codeCache: V8 caches the
// bundle across starts (slow A55 cores). Not bypassCSP, not corsEnabled: the scheme serves only our own
// files to our own page.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
// Every renderer in Chromium's sandbox, whatever a webContents' own preferences say.
app.enableSandbox();

/** The configuration, or why it could not be read (shown once the app is ready and can show a dialog). */
export const startup: { readonly config?: MainConfig; readonly configError?: unknown } = readStartupConfig();

function readStartupConfig(): { config?: MainConfig; configError?: unknown } {
  try {
    const config = readMainConfig(process.env, { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath });
    // For a board whose GPU driver Chromium cannot use (reference §6.1, [UNCERTAIN]); only possible before ready.
    if (config.disableGpu) app.disableHardwareAcceleration();
    return { config };
  } catch (error) {
    return { configError: error };
  }
}
