// Where the kiosk's renderer lives: a privileged custom scheme of our own rather than file://, so the page has
// a real origin (CSP 'self', module scripts, no access to the rest of the file system) that no other content
// can share.

/** The scheme the renderer is served from (registered as standard and secure before the app is ready). */
export const APP_SCHEME = 'app';

/** The one host of the scheme; the origin is `app://lintel`. */
export const APP_HOST = 'lintel';

/** `app://lintel`: the only origin that may navigate the window and call the terminal. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * True when `url` is on our app origin. Parsed, never prefix-matched: `app://lintel.evil/` and
 * `app://lintel@evil/` share the prefix but not the origin. Anything unparsable is foreign.
 */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Chromium lower-cases the host of a standard scheme; Node's URL parser does not know ours is one.
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host.toLowerCase() === APP_HOST && parsed.username === '' && parsed.password === '';
}
