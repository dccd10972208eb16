// What an OSDP output keeps across restarts, in `<dataDir>/osdp/<output name>.json`: the Secure Channel base key
// the panel set (sealed with AES-256-GCM under the data folder's key, as templates are: a copied data folder
// without lintel.key does not give the key away), and the address and baud rate the panel moved the reader to
// with osdp_COMSET. Written atomically (a power cut leaves the old file or the new one), mode 0600.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { deriveKeys, fsyncDirectory, loadOrCreateKey, seal, unseal } from '../../store/crypto.js';

const FILE_VERSION = 1;

/** The communication settings osdp_COMSET chose, and the configured ones they replaced. */
export interface StoredComset {
  readonly address: number;
  readonly baudRate: number;
  /** The configuration in force when the panel changed them: a new configuration overrides the panel's choice. */
  readonly configuredAddress: number;
  readonly configuredBaudRate: number;
}

const fileSchema = z.strictObject({
  version: z.literal(FILE_VERSION),
  /** The sealed SCBK, base64; null before the panel has set one. */
  scbk: z.string().nullable(),
  comset: z.strictObject({ address: z.int(), baudRate: z.int(), configuredAddress: z.int(), configuredBaudRate: z.int() }).nullable(),
});

type StoreFile = z.output<typeof fileSchema>;

/** What was read back; `problems` says what could not be used (a damaged file, a key sealed under another lintel.key). */
export interface OsdpStoredState {
  readonly scbk: Buffer | undefined;
  readonly comset: StoredComset | undefined;
  readonly problems: readonly string[];
}

/** An OSDP output's file in the data folder. */
export class OsdpStore {
  private constructor(
    private readonly path: string,
    private readonly dir: string,
    private readonly outputName: string,
    private readonly blobKey: Buffer,
    /** A stable 32-bit number for osdp_PDID, from the data folder key's public fingerprint. */
    readonly serialNumber: number,
  ) {}

  /** The store of output `outputName`; reads (or creates) the data folder's key. */
  static open(dataDir: string, outputName: string): OsdpStore {
    const keys = deriveKeys(loadOrCreateKey(dataDir));
    const dir = join(dataDir, 'osdp');
    return new OsdpStore(join(dir, `${outputName}.json`), dir, outputName, keys.blobKey, Number.parseInt(keys.keyId.slice(0, 8), 16) >>> 0);
  }

  /** Reads the file; a missing file is an empty state. Never throws: what cannot be read is in `problems`. */
  load(): OsdpStoredState {
    let file: StoreFile;
    try {
      file = this.read();
    } catch (error) {
      return { scbk: undefined, comset: undefined, problems: [`cannot read ${this.path}: ${(error as Error).message}`] };
    }
    const problems: string[] = [];
    let scbk: Buffer | undefined;
    if (file.scbk !== null) {
      try {
        scbk = unseal(this.blobKey, Buffer.from(file.scbk, 'base64'), this.aad());
        if (scbk.length !== 16) throw new Error(`the key is ${scbk.length} bytes, not 16`);
      } catch (error) {
        scbk = undefined;
        problems.push(`the stored Secure Channel key cannot be used (${(error as Error).message}); install mode lets the panel set a new one`);
      }
    }
    return { scbk, comset: file.comset ?? undefined, problems };
  }

  /** Stores a new SCBK (sealed), keeping the rest. */
  saveKey(scbk: Uint8Array): void {
    const file = this.readOrEmpty();
    this.write({ ...file, scbk: seal(this.blobKey, scbk, this.aad()).toString('base64') });
  }

  /** Stores the settings osdp_COMSET chose (undefined: back to the configured ones), keeping the rest. */
  saveComset(comset: StoredComset | undefined): void {
    const file = this.readOrEmpty();
    this.write({ ...file, comset: comset ?? null });
  }

  /** The sealed key's place, so a blob copied from another output's file does not open. */
  private aad(): string {
    return `osdp:${this.outputName}:scbk`;
  }

  private read(): StoreFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: FILE_VERSION, scbk: null, comset: null };
      throw error;
    }
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`not an OSDP state file: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    return parsed.data;
  }

  /** The file as it is, or an empty one when it cannot be read (a write replaces a damaged file). */
  private readOrEmpty(): StoreFile {
    try {
      return this.read();
    } catch {
      return { version: FILE_VERSION, scbk: null, comset: null };
    }
  }

  private write(file: StoreFile): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(file)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    fsyncDirectory(this.dir);
  }
}
