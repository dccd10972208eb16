import { randomUUID } from 'node:crypto';

import { importCsv, importFolder, type ImportOptions, type ImportPersonResult, type ImportReport, type ImportSummary } from '../enrollment/bulk-import.js';
import { StoreError } from '../store/errors.js';

/** Where an import reads from, on the terminal's own file system. */
export type ImportSource = { readonly kind: 'folder' | 'csv'; readonly path: string };

/** One import's state, as `import:status` reports it. */
export interface ImportJob {
  readonly importId: string;
  state: 'running' | 'done' | 'aborted' | 'failed';
  readonly startedAtMs: number;
  done: number;
  total: number;
  current?: string;
  readonly persons: ImportPersonResult[];
  summary?: ImportSummary;
  failure?: string;
}

/** How many ended jobs are kept for `import:status`. */
const KEPT_JOBS = 10;

/**
 * Bulk imports in the background, one at a time; their progress and per-person results are polled with
 * `import:status`. A job reads the photos from the terminal's disk and enrolls through the same path as the
 * `lintel import` command.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, { job: ImportJob; abort: AbortController }>();
  /** The work of each job until it has stopped (settles either way), for `stopped`. */
  private readonly working = new Set<Promise<unknown>>();

  constructor(private readonly logError: (message: string, details: Record<string, unknown>) => void) {}

  /**
   * Starts a job; 'conflict' while another runs. `options` come from the service in force. `onEnded` runs once
   * the job's work has stopped, however it ended (an uploaded zip's folder is removed then).
   */
  start(source: ImportSource, options: Omit<ImportOptions, 'onProgress' | 'onPerson' | 'signal'>, onEnded?: () => Promise<void>): ImportJob {
    if ([...this.jobs.values()].some(({ job }) => job.state === 'running')) throw new StoreError('conflict', 'an import is already running: wait for it or cancel it');
    const job: ImportJob = { importId: randomUUID(), state: 'running', startedAtMs: Date.now(), done: 0, total: 0, persons: [] };
    const abort = new AbortController();
    this.jobs.set(job.importId, { job, abort });
    this.forgetOld();
    const run: ImportOptions = {
      ...options,
      signal: abort.signal,
      onProgress: (done, total, current) => {
        job.done = done;
        job.total = total;
        if (current === undefined || job.state !== 'running') delete job.current;
        else job.current = current;
      },
      onPerson: (person) => job.persons.push(person),
    };
    const running: Promise<ImportReport> = source.kind === 'folder' ? importFolder({ ...run, root: source.path }) : importCsv({ ...run, csvPath: source.path });
    const settled = running.then(
      (report) => {
        job.summary = report.summary;
        // A cancelled job already says so; its summary arrives when the work has stopped.
        if (job.state === 'running') job.state = report.summary.aborted ? 'aborted' : 'done';
        delete job.current;
      },
      (error: Error) => {
        delete job.current;
        if (abort.signal.aborted) {
          job.state = 'aborted';
          return;
        }
        job.state = 'failed';
        job.failure = error.message;
        this.logError('import failed', { importId: job.importId, error: error.message });
      },
    );
    const ended = onEnded
      ? settled.then(() => onEnded().catch((error: Error) => this.logError('import clean-up failed', { importId: job.importId, error: error.message })))
      : settled;
    this.working.add(ended);
    void ended.finally(() => this.working.delete(ended));
    return job;
  }

  get(importId: string): ImportJob {
    const entry = this.jobs.get(importId);
    if (!entry) throw new StoreError('not-found', `no import ${importId}`);
    return entry.job;
  }

  /**
   * Ends a job at once: it is `aborted` from this call on, whatever it is doing, and another may start. The
   * work itself stops at its next step (a read stops within a chunk); the person in progress is not written.
   */
  cancel(importId: string): ImportJob {
    const entry = this.jobs.get(importId);
    if (!entry) throw new StoreError('not-found', `no import ${importId}`);
    entry.abort.abort();
    if (entry.job.state === 'running') {
      entry.job.state = 'aborted';
      delete entry.job.current;
    }
    return entry.job;
  }

  /** Forgets an erased person in the jobs' results: their name, ids and what was said of them. */
  erasePerson(personId: string): void {
    for (const { job } of this.jobs.values()) {
      job.persons.forEach((person, index) => {
        if (person.personId === personId) job.persons[index] = { person: '', status: person.status, sampleCount: person.sampleCount, detail: 'erased' };
      });
    }
  }

  /** Cancels whatever runs (shutdown). */
  cancelAll(): void {
    for (const { abort } of this.jobs.values()) abort.abort();
  }

  /**
   * Resolves once the work of every job has stopped, a cancelled one included (it may still be waiting for the
   * worker, until the worker closes): the store must not close before.
   */
  async stopped(): Promise<void> {
    await Promise.all(this.working);
  }

  private forgetOld(): void {
    const ended = [...this.jobs.values()].filter(({ job }) => job.state !== 'running');
    for (const { job } of ended.slice(0, Math.max(0, ended.length - KEPT_JOBS))) this.jobs.delete(job.importId);
  }
}
