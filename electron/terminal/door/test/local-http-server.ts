// A real HTTP server on 127.0.0.1 for webhook tests: records each request and answers as the test says.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** When it arrived, performance.now() ms. */
  readonly atMs: number;
}

/** How to answer a request; `hang` never answers (the connection is closed when the server closes). */
export type Answer = { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> } | { readonly hang: true };

/** A running server. */
export interface LocalServer {
  readonly port: number;
  readonly url: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (`port` 0: an ephemeral one); `answer` gets each request and its index. */
export async function startLocalServer(answer: (request: ReceivedRequest, index: number) => Answer, port = 0): Promise<LocalServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), atMs: performance.now() };
      received.push(request);
      const reply = answer(request, received.length - 1);
      if ('hang' in reply) return;
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}/hooks/door`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A 127.0.0.1 port nobody listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = await startLocalServer(() => ({ status: 200 }));
  await server.close();
  return server.port;
}

/** Polls `check` every 10 ms until it is true; fails after `timeoutMs` (default 5000) naming `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
