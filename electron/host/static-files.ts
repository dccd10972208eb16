// The built UI as static files, with the one Content-Security-Policy and the security headers every page of
// Lintel gets: the terminal's browser host serves the kiosk UI with it, the site hub its admin UI.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/** What the renderer may do, as a policy the browser enforces (the same one Electron's session sets). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; media-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wav': 'audio/wav',
};

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

/**
 * Answers a GET of `pathname` with the file under `rootDir`; '/' and client-side routes (no extension) get
 * `indexFile`, missing assets 404. Hashed assets (assets/) are cached for good, everything else revalidated.
 */
export async function serveStatic(response: ServerResponse, rootDir: string, pathname: string, indexFile = 'index.html'): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return sendText(response, 400, 'malformed path');
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const root = normalize(rootDir + sep);
  let file = join(root, relative === '' ? indexFile : relative);
  if (!file.startsWith(root)) return sendText(response, 404, 'not found');
  let info = await stat(file).catch(() => undefined);
  // Client-side routes fall back to the app; missing assets stay 404.
  if (!info?.isFile() && extname(file) === '') {
    file = join(root, indexFile);
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) return sendText(response, 404, extname(file) === '.html' ? 'the renderer is not built: run npm run build' : 'not found');
  const immutable = relative.startsWith('assets/');
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(response);
}
