/**
 * One readable line for an error, with its causes: fetch reports "fetch failed" and hides the useful part
 * ("connect ECONNREFUSED 127.0.0.1:8080") in `cause`, which a health screen must show.
 */
export function errorMessage(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  // Bounded: a cause chain may be cyclic.
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    const message = current instanceof Error ? current.message : String(current);
    if (message !== '' && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.length > 0 ? parts.join(': ') : 'unknown error';
}
