// The kiosk window: one frameless fullscreen window on a dark background, hardened webPreferences, shown
// once its first paint is ready so the screen never flashes white on the board.
import { BrowserWindow } from 'electron';

import { devShortcut } from './dev-shortcuts.js';
import { hardenedWebPreferences } from './guards.js';

/** The window's background until the page paints: the renderer's `--bg` (renderer/src/styles.css). */
export const BACKGROUND_COLOUR = '#05080f';

/** Options of `createKioskWindow`. */
export interface KioskWindowOptions {
  /** Absolute path of the compiled preload (preload.cjs). */
  readonly preloadPath: string;
  /** Kiosk mode (no way out of the window) and no devtools. */
  readonly production: boolean;
}

/** Creates the window (not yet loaded). */
export function createKioskWindow(options: KioskWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Lintel',
    show: false,
    fullscreen: true,
    kiosk: options.production,
    frame: !options.production,
    autoHideMenuBar: true,
    backgroundColor: BACKGROUND_COLOUR,
    webPreferences: hardenedWebPreferences(options.preloadPath, !options.production),
  });
  window.once('ready-to-show', () => window.show());
  if (!options.production) {
    window.webContents.on('before-input-event', (event, input) => {
      const shortcut = devShortcut(input);
      if (shortcut === null) return;
      event.preventDefault();
      if (shortcut === 'devtools') window.webContents.toggleDevTools();
      else window.webContents.reload();
    });
  }
  return window;
}
