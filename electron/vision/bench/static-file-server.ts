/**
 * Serves one folder read-only over HTTP on 127.0.0.1, for libraries that can only load files with `fetch`
 * (Node 20's fetch has no file:// scheme). Used by benchmarks; not part of the terminal.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

/** A running server; `baseUrl` ends with a slash, `close()` drops open keep-alive connections too. */
export interface StaticFileServer {
  readonly baseUrl: string;
  close(): Promise<void>;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.js': 'text/javascript',
};

/** Starts serving rootDir (GET/HEAD only, no directory listings) on 127.0.0.1 at port (default 0: any free port). */
export async function startStaticFileServer(rootDir: string, port = 0): Promise<StaticFileServer> {
  const root = resolve(rootDir);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      let relative: string;
      try {
        relative = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const filePath = resolve(root, '.' + relative);
      // resolve() collapses `..`, so anything outside the root shows up as a path without the root prefix.
      if (!filePath.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      const info = await stat(filePath).catch(() => null);
      if (!info?.isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': contentTypes[extname(filePath)] ?? 'application/octet-stream',
        'content-length': info.size,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(filePath)
        .on('error', () => res.destroy())
        .pipe(res);
    })();
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${boundPort}/`,
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        server.close((err) => (err ? rejectClose(err) : resolveClose()));
        // fetch (undici) keeps idle sockets alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
