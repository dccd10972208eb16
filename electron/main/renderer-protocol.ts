// Serves the built renderer (dist/renderer) on the app scheme. Pure over a file reader, so the path-traversal
// and header rules are tested under Node; main.ts hands it to `protocol.handle`. Inside a packaged app the
// folder sits in app.asar, which Electron's fs reads transparently.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

import { APP_HOST, APP_SCHEME } from './app-origin.js';

/** Reads one file's bytes; rejects (ENOENT, EISDIR, …) when there is none. */
export type ReadFile = (path: string) => Promise<Uint8Array>;

/** Options of `serveRendererRequest`. */
export interface RendererProtocolOptions {
  /** The built renderer's folder (absolute). */
  readonly rootDir: string;
  /** Content-Security-Policy sent with every response. */
  readonly contentSecurityPolicy: string;
  readonly readFile: ReadFile;
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wav': 'audio/wav',
  '.map': 'application/json',
};

/** Where a request for `url` is answered from: a file below rootDir, or why not (an HTTP status). */
export type RendererTarget = { readonly kind: 'file'; readonly path: string; readonly spaFallback: boolean } | { readonly kind: 'refused'; readonly status: 400 | 403 | 404 };

/**
 * Maps an app-scheme URL onto a file below `rootDir`. Refuses other hosts (403), undecodable or odd paths
 * (400: NUL, backslash) and anything that would resolve outside rootDir (404: `..`, encoded `%2e%2e`,
 * `%2f`). `/` is index.html; a path without an extension is a client-side route and falls back to it.
 */
export function resolveRendererTarget(rootDir: string, url: string): RendererTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'refused', status: 400 };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host.toLowerCase() !== APP_HOST || parsed.username !== '' || parsed.password !== '') {
    return { kind: 'refused', status: 403 };
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return { kind: 'refused', status: 400 };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { kind: 'refused', status: 400 };
  const root = resolve(rootDir);
  const wanted = pathname.replace(/^\/+/, '');
  const path = resolve(root, wanted === '' ? 'index.html' : wanted);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return { kind: 'refused', status: 404 };
  const spaFallback = extname(path) === '';
  return { kind: 'file', path: spaFallback ? resolve(root, 'index.html') : path, spaFallback };
}

/** Headers every app-scheme response carries. */
export function securityHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    // The files change only with the application; no-cache still revalidates across an update.
    'cache-control': 'no-cache',
  };
}

/** Answers one app-scheme request (GET/HEAD) with the renderer's file, or an error status; never throws. */
export async function serveRendererRequest(request: { readonly url: string; readonly method: string }, options: RendererProtocolOptions): Promise<Response> {
  const headers = securityHeaders(options.contentSecurityPolicy);
  const text = (status: number, body: string): Response => new Response(body, { status, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } });
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
  const target = resolveRendererTarget(options.rootDir, request.url);
  if (target.kind === 'refused') return text(target.status, target.status === 404 ? 'not found' : 'refused');
  let bytes: Uint8Array;
  try {
    bytes = await options.readFile(target.path);
  } catch {
    return extname(target.path) === '.html' ? text(503, 'the renderer is not built: run npm run build') : text(404, 'not found');
  }
  const contentType = MIME_TYPES[extname(target.path)] ?? 'application/octet-stream';
  return new Response(request.method === 'HEAD' ? null : bytes, { status: 200, headers: { ...headers, 'content-type': contentType, 'content-length': String(bytes.byteLength) } });
}
