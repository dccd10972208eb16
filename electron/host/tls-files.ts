import { readFileSync } from 'node:fs';

/** A certificate and its private key, PEM, for serving HTTPS. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Reads the certificate and key the browser host serves HTTPS with; undefined when neither is given. `names`
 * are how the caller spells the two settings (flags for `lintel serve`, variables beside the kiosk), so the
 * error says which one is wrong.
 */
export function readTlsFiles(certPath: string | undefined, keyPath: string | undefined, names: { readonly cert: string; readonly key: string }): TlsFiles | undefined {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) throw new Error(`${names.cert} and ${names.key} go together: the certificate (PEM) and its private key (PEM)`);
  const read = (name: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${name} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
    }
  };
  return { cert: read(names.cert, certPath), key: read(names.key, keyPath) };
}
