// The browser host's transport: `POST /api/call/<channel>` with the JSON request; the body is the Result,
// whatever the HTTP status (a 401 or 400 still carries one). No tokens here: the host's HttpOnly cookies ride along.
import { callPath, type Invoke } from '../contract.js';

function isResult(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  if (body.ok === true) return 'value' in body;
  if (body.ok !== false || !('error' in body)) return false;
  const error = body.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error && typeof error.message === 'string';
}

/**
 * Small calls outlive the page (fetch keepalive), so a cancel sent while the page is being closed still arrives;
 * browsers cap keepalive bodies at 64 KB in total, so uploads go without it.
 */
const KEEPALIVE_MAX_BODY_CHARS = 8 * 1024;

/** An Invoke over fetch; a network failure or a body that is no Result rejects (createClient makes it 'unavailable'). */
export function createHttpInvoke(fetchImpl: typeof fetch): Invoke {
  return async (channel, request) => {
    const requestBody = JSON.stringify(request);
    const response = await fetchImpl(callPath(channel), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: requestBody,
      credentials: 'same-origin',
      keepalive: requestBody.length <= KEEPALIVE_MAX_BODY_CHARS,
    });
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new Error(`the terminal answered HTTP ${response.status} without a result`);
    }
    if (!isResult(body)) throw new Error(`the terminal answered HTTP ${response.status} with something other than a result`);
    return body;
  };
}
