import { randomInt, timingSafeEqual } from 'node:crypto';
import { mkdirSync, statfsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import { contract } from '../../shared/contract/channels.js';
import { createHandler, type Handle } from '../../shared/contract/handler.js';
import { ContractError } from '../../shared/contract/result.js';
import type { StreamMessage } from '../../shared/contract/streams.js';
import { createSeededRandom } from '../../vision/matcher/seeded-random.js';
import { loadManifest, modelEntry, ModelNotAddedError, preferredExtractorId, resolveModel, type ModelRole } from '../../vision/models/manifest.js';
import { defaultManifestPath } from '../../vision/models/paths.js';
import type { CardUpdate, ChallengeUpdate, DecisionEvent, FrameAnalysis, TerminalHealth } from '../terminal-service.js';
import { resolveCredentialMode } from '../access/credential-policy.js';
import type { IdentificationState } from '../access/identify-threshold.js';
import type { CredentialMode } from '../../shared/shapes/credential-policy.js';
import { TerminalService } from '../terminal-service.js';
import { createCamera } from '../camera/create-camera.js';
import { parseCameraUri } from '../camera/camera-uri.js';
import { CardFormatError, cardFormatNames, credentialProblems, resolveCardFormat } from '../door/card-format.js';
import { CardReader, type CardRead, type CardReaderHealth, type UnreadableCard } from '../door/card-reader.js';
import type { GpioInputSyscalls } from '../../../native-bridge/gpio/gpio-input.js';
import { doorInputsConfigSchema } from '../../shared/shapes/door-inputs.js';
import { doorOutputsConfigSchema } from '../../shared/shapes/door-outputs.js';
import { createDoorOutputs, DoorConfigError } from '../door/create-door-outputs.js';
import { DoorInputs, type DoorInputEvent, type DoorInputLinesFactory, type DoorInputsHealth } from '../door/door-inputs.js';
import type { DoorEvent, DoorLogger } from '../door/door-output.js';
import { DoorOutputs, type DoorOpenReport } from '../door/door-outputs.js';
import { chipProbe, gpioLineUses, missingLineProblems, sharedLineProblems } from '../door/gpio-lines-check.js';
import type { Settings } from '../../shared/shapes/settings.js';
import { watchFileSettled } from '../../shared/watch-file.js';
import { TerminalStore } from '../store/store.js';
import { StoreError } from '../store/errors.js';
import { AddedModels, type AddedModelRecord } from '../models/added-models.js';
import { sitePadCuePath } from '../models/site-pad-cue.js';
import { checkCameraGivesFrame, sameV4l2Device } from './camera-check.js';
import { implementContract } from './contract-implementation.js';
import { cameraOffers, listHardware, type HardwareInventory, type HardwareSources } from './hardware-inventory.js';
import { ImportJobs } from './import-jobs.js';
import { LiveEnrollments } from './live-enrollments.js';
import { LoginThrottle } from './login-throttle.js';
import { SessionRegistry } from './sessions.js';
import { StorageState, type StorageHealth } from './storage-state.js';
import { StreamHub } from './stream-hub.js';
import { HubLink, type HubLinkStatus } from '../sync/hub-link.js';
import type { HubBundle } from '../sync/hub-bundle.js';
import { hubEnrollmentStore } from '../sync/enroll-request.js';
import { hubSettingValues } from '../sync/hub-settings.js';
import type { EnrollmentStore } from '../enrollment/duplicates.js';
import type { NpuOptions } from '../../vision/backend/rknn-backend.js';

/** Where the terminal reports what happens; structured, one line per event. */
export interface AppLogger extends DoorLogger {
  info(message: string, details?: Readonly<Record<string, unknown>>): void;
  error(message: string, details: Readonly<Record<string, unknown>>): void;
}

/** Options of `TerminalApp.open`: what the host knows; everything else comes from the stored settings. */
export interface TerminalAppOptions {
  readonly dataDir: string;
  /** Camera when the `camera.uri` setting is unset (the host's flag, LINTEL_CAMERA, or the demo source). */
  readonly defaultCameraUri: string;
  readonly logger: AppLogger;
  /** The product's version, for the system screen. */
  readonly version: string;
  /** Default the manifest shipped with the models. */
  readonly manifestPath?: string;
  /** The NPU runtime (on the board); without it every model runs on the CPU. */
  readonly npu?: NpuOptions;
  /** onnxruntime threads per model; default 1. */
  readonly intraOpThreads?: number;
  /** Check each response against the contract (development, tests); default false. */
  readonly validateResponses?: boolean;
  /** Preview frames a second on the stream; default 15. */
  readonly previewFps?: number;
  /**
   * Makes the liveness challenges' actions repeatable (LINTEL_CHALLENGE_SEED), for end-to-end tests and
   * demonstrations; never on a door. Default: cryptographically random.
   */
  readonly challengeSeed?: number;
  /**
   * System calls of the GPIO chips: the door relay, the door inputs and the save-time check of GPIO settings.
   * Default the real ones; tests pass FakeSyscalls with fake chips.
   */
  readonly gpioSyscalls?: GpioInputSyscalls;
  /** Where the settings screen's camera and GPIO chip lists come from; default the live system's. */
  readonly hardware?: Omit<HardwareSources, 'gpioSyscalls'>;
  /** How long a camera named by a setting has to give its first picture before the setting is refused, ms; default 5000. */
  readonly cameraCheckTimeoutMs?: number;
  /** How long a live enrollment waits for a face before it stops, ms; default 45000. */
  readonly enrollmentNoFaceTimeoutMs?: number;
  /**
   * The site hub to join (`lintel serve --hub <bundle>`): people then come from the hub's change log and events go
   * to it. Default none; a terminal that joined once stays the hub's (people stay read-only here) without it.
   */
  readonly hub?: HubBundle;
}

/** The service's health, and whether the event log can be written. */
export type AppHealth = TerminalHealth & {
  readonly storage: StorageHealth;
  readonly door?: DoorInputsHealth;
  /** The Wiegand card reader, where one is configured. */
  readonly cardReader?: CardReaderHealth;
  readonly showDiagnostics: boolean;
  /** What the door asks for now, before it knows who comes (the door screen asks for the card at a card and face door). */
  readonly credentialMode: CredentialMode;
  /** Why recognition is not running; absent while it runs. */
  readonly startFailure?: string;
  /** Outputs that open the door and cannot, in words. */
  readonly doorController?: { readonly status: 'fault'; readonly message: string };
};

/** Outputs that open the door (a log or a webhook failing does not keep anyone out). */
const DOOR_OPENING_KINDS: ReadonlySet<string> = new Set(['gpio', 'wiegand', 'osdp']);

/** How long after a grant the door may open when no relay is configured (a panel drives the lock), ms. */
const OPEN_WINDOW_WITHOUT_RELAY_MS = 5000;

/** A template rebuild after the extractor changed. */
export interface RebuildState {
  readonly modelId: string;
  doneCount: number;
  totalCount: number;
  failedCount: number;
  state: 'running' | 'done' | 'failed';
}

/** Settings whose change needs the service (its inference worker and matcher) restarted. */
const RESTART_KEYS = ['recognition.extractorModelId', 'liveness.modelId'] as const satisfies readonly (keyof Settings)[];

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
/** How long the data folder must be quiet after the site cue changed before the service restarts with it, ms. */
const SITE_CUE_SETTLE_MS = 300;

/**
 * The composition root: builds the whole terminal from its data directory and stored settings — store,
 * camera, inference worker, decision policy, door outputs — and exposes it through the contract (`handle`)
 * and the stream (`subscribe`). The Electron main process and the headless host are thin transports over it.
 * A settings change re-applies what it touches: the policy at once, door outputs rebuilt, the camera and the
 * worker restarted; an extractor change rebuilds every template from the stored aligned crops.
 */
export class TerminalApp {
  readonly sessions = new SessionRegistry();
  /** Login attempts per source (peer address, the kiosk), whatever the username. */
  readonly loginThrottle = new LoginThrottle();
  readonly handle: Handle;
  readonly startedAtMs = Date.now();
  readonly imports: ImportJobs;
  readonly enrollments: LiveEnrollments;
  /** The models an administrator added, in `<dataDir>/models`. */
  readonly addedModels: AddedModels;
  private readonly hub: StreamHub;
  private service: TerminalService | undefined;
  private serviceFailure: string | undefined;
  private unwire: (() => void)[] = [];
  private unwireCamera: (() => void) | undefined;
  private doorOutputs: DoorOutputs;
  /** The door contact and exit button (none unless `door.inputs` names them). */
  private doorInputs: DoorInputs;
  /** The Wiegand card reader (none unless `door.inputs.cardReader` names its lines). */
  private cardReader: CardReader;
  private readonly recentDecisions: DecisionEvent[] = [];
  private rebuildState: RebuildState | null = null;
  private rebuildAbort: AbortController | undefined;
  /** The template rebuild in the background, until it has ended (settles either way). */
  private rebuildRun: Promise<void> | undefined;
  /** The age estimates of samples that have none, in the background (see estimateAges). */
  private agesRun: { readonly abort: AbortController; readonly done: Promise<void>; again: boolean } | undefined;
  /** Whether events can be written; the door denies while they cannot. */
  private readonly storage: StorageState;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Stops watching the data folder for the site's trained cue (see watchSitePadCue). */
  private closeCueWatcher: () => void = () => undefined;
  /** Serialises restarts and settings changes: one at a time, in order. */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private currentSetupCode: string | undefined;
  /** The link to the site hub, when the terminal was started with a bundle. */
  private hubLink: HubLink | undefined;
  private unwireHub: (() => void) | undefined;

  private constructor(
    readonly options: TerminalAppOptions,
    readonly store: TerminalStore,
    readonly manifestPath: string,
  ) {
    const { logger } = options;
    this.addedModels = new AddedModels({ manifestPath, dataDir: options.dataDir });
    this.hub = new StreamHub({ previewFps: options.previewFps });
    this.imports = new ImportJobs((message, details) => logger.error(message, details));
    this.enrollments = new LiveEnrollments(
      (sessionId, feedback) => this.hub.enrollmentFeedback(sessionId, feedback),
      (active) => this.service?.pause(active),
      (ended) => this.hub.enrollmentEnded(ended),
      options.enrollmentNoFaceTimeoutMs,
    );
    this.doorOutputs = this.buildDoorOutputs(store.settings.get('door.outputs'));
    this.doorInputs = this.buildDoorInputs(store.settings.get('door.inputs'));
    this.cardReader = this.buildCardReader(store.settings.getAll());
    this.storage = new StorageState(logger);
    // A full disk under an enrollment or a settings change answers 'unavailable' with SQLite's words, not 'internal'.
    const handle = createHandler(contract, implementContract(this), { logger, validateResponses: options.validateResponses, codeAliases: { invalid: 'invalid-request', SQLITE_FULL: 'unavailable' } });
    // A call is what keeps a session from idling out; the stream a page keeps open is not.
    this.handle = (channel, request, context) => {
      this.sessions.touch(context.sessionToken);
      return handle(channel, request, context);
    };
  }

  /**
   * Opens the store and starts the service. A service that cannot start (models missing, a setting naming a
   * model that is not there) leaves the app up with the reason in its health, so an admin can fix the
   * settings from the screen; a store that cannot open is thrown (nothing works without it).
   */
  static async open(options: TerminalAppOptions): Promise<TerminalApp> {
    const store = TerminalStore.open({ dataDir: options.dataDir });
    const app = new TerminalApp(options, store, options.manifestPath ?? defaultManifestPath());
    try {
      await app.startService();
      await app.doorInputs.start();
      await app.cardReader.start();
      if (options.hub) {
        // What the hub set for this door before a restart (kept with the change log's cursor) is applied again.
        await app.applyHubSettings();
        app.startHubLink(options.hub);
      }
      app.watchSitePadCue();
      app.runRetention();
      app.timers.push(setInterval(() => app.runRetention(), HOUR_MS));
      app.timers.push(setInterval(() => app.hub.health(app.health()), 1000));
      for (const timer of app.timers) timer.unref();
      return app;
    } catch (error) {
      await app.close();
      throw error;
    }
  }

  /** Every stream message from now on; returns the unsubscribe. */
  subscribe(listener: (message: StreamMessage) => void): () => void {
    return this.hub.subscribe(listener);
  }

  /** Single-use pairing codes: the browser host spends one for each device session it hands out. */
  get pairing(): TerminalStore['pairing'] {
    return this.store.pairing;
  }

  /** The service in force; 'unavailable' while it is (re)starting or failed to start. */
  requireService(): TerminalService {
    if (!this.service) throw new ContractError('unavailable', this.serviceFailure ? `the terminal is not running: ${this.serviceFailure}` : 'the terminal is starting');
    return this.service;
  }

  health(): AppHealth {
    return {
      ...this.serviceHealth(),
      storage: this.storage.health,
      ...(this.doorInputs.configured ? { door: this.doorInputs.health() } : {}),
      ...this.cardReaderHealth(),
      showDiagnostics: this.store.settings.get('door.showDiagnostics'),
      credentialMode: this.doorCredentialMode(),
      ...(!this.service && this.serviceFailure ? { startFailure: this.serviceFailure } : {}),
      ...this.doorControllerHealth(),
    };
  }

  /** What the door asks for now, before it knows who comes: its hours in force, else its own mode. */
  private doorCredentialMode(): CredentialMode {
    const policy = this.store.settings.get('access.policy');
    return resolveCredentialMode(policy.credential, { groups: [] }, Date.now(), policy.timeZone);
  }

  /**
   * The card reader's state where one is configured; a fault where none is but the credential policy wants a card
   * somewhere: everyone it concerns would be refused `card-required` with no way to present one.
   */
  private cardReaderHealth(): { cardReader?: CardReaderHealth } {
    if (this.cardReader.configured) return { cardReader: this.cardReader.health() };
    const { mode, groups, schedules } = this.store.settings.get('access.policy').credential;
    const wanted = mode === 'card+face' || Object.values(groups).includes('card+face') || schedules.some((schedule) => schedule.mode === 'card+face');
    if (!wanted) return {};
    return { cardReader: { status: 'fault', message: 'card and face is asked for (Settings › Card and face) but no card reader is set (Settings › Door inputs): nobody who needs the card can get in' } };
  }

  private doorControllerHealth(): { doorController?: { status: 'fault'; message: string } } {
    const faults = this.doorOutputs.health().filter((health, index) => health.status === 'unavailable' && DOOR_OPENING_KINDS.has(this.doorOutputs.outputs[index]?.kind ?? ''));
    return faults.length === 0 ? {} : { doorController: { status: 'fault', message: faults.map((health) => `${health.name}: ${health.message}`).join('; ') } };
  }

  private serviceHealth(): TerminalHealth {
    if (this.service) return this.service.health();
    return {
      camera: this.serviceFailure ? { status: 'offline', reason: this.serviceFailure, retryAtMs: Date.now() } : { status: 'starting' },
      models: { detector: '', fitter: '', extractor: '' },
      backend: '',
      engines: [],
      processedFps: 0,
      framesProcessed: 0,
      framesDropped: 0,
      workerRestarts: 0,
    };
  }

  /** The 1:N threshold for the current gallery and what it is expected to give; null while the service is not running. */
  identification(): IdentificationState | null {
    return this.service?.identification() ?? null;
  }

  /**
   * The 0–100 match score of a stored similarity, from the curve of the model that made it; null where there is
   * no similarity, no curve for the model, or no service (the curves come with its manifest).
   */
  matchScore(modelId: string | null, similarity: number | null): number | null {
    return this.service?.matchScore(modelId, similarity) ?? null;
  }

  /** The newest decisions, newest first. */
  decisions(limit: number): DecisionEvent[] {
    return this.recentDecisions.slice(0, limit);
  }

  get rebuild(): RebuildState | null {
    return this.rebuildState;
  }

  get outputs(): DoorOutputs {
    return this.doorOutputs;
  }

  /**
   * While no admin exists, the code that lets a device other than the kiosk claim the terminal (`admin:setup`):
   * 8 digits, shown on the kiosk's screen and printed to the terminal's console; null once an admin exists.
   */
  setupCode(): string | null {
    if (this.store.admins.count() > 0) {
      this.currentSetupCode = undefined;
      return null;
    }
    this.currentSetupCode ??= String(randomInt(0, 100_000_000)).padStart(8, '0');
    return this.currentSetupCode;
  }

  /** Whether `code` is the current setup code, compared in constant time. */
  checkSetupCode(code: string | undefined): boolean {
    const expected = this.setupCode();
    if (expected === null || code === undefined || code.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(code), Buffer.from(expected));
  }

  /** Free bytes on the data directory's file system, or null where it cannot be told. */
  freeBytes(): number | null {
    try {
      const stats = statfsSync(this.options.dataDir);
      return Number(stats.bavail) * Number(stats.bsize);
    } catch {
      return null;
    }
  }

  /**
   * Erases a person everywhere at once: the store (samples, crops, templates, snapshots; the gallery in the
   * same call) and the door outputs that keep events (the webhook outbox).
   */
  deletePerson(personId: string): boolean {
    const { deleted } = this.store.deletePerson(personId);
    this.forgetPerson(personId);
    return deleted;
  }

  /**
   * The link to the site hub; null for a door of its own. A door that joined a hub but runs without its bundle
   * is shown as not connected, saying so.
   */
  hubStatus(): HubLinkStatus | null {
    if (this.hubLink) return this.hubLink.status;
    const link = this.store.hubSync.link();
    if (!link) return null;
    return {
      connected: false,
      siteId: link.siteId,
      terminalId: link.terminalId,
      appliedSeq: link.appliedSeq,
      headSeq: link.appliedSeq,
      pendingEvents: this.store.hubSync.pendingEventCount(),
      pendingEnrollments: this.store.hubSync.pendingEnrollRequests().length,
      lastError: 'this door runs without its hub bundle: start it with lintel serve --hub <bundle> (or LINTEL_HUB_BUNDLE)',
    };
  }

  /**
   * Refuses a local edit of people (ContractError 'conflict') once the terminal joined a site hub: the hub is
   * their one writer, and a local change would be overwritten by its next change, or resurrect an erased person.
   */
  assertPeopleEditable(): void {
    const link = this.store.hubSync.link();
    if (link) throw new ContractError('conflict', `people are managed by the site hub (site ${link.siteId}, this door is ${link.terminalId}): add, change and delete them on the hub`);
  }

  /**
   * Where an enrollment at this door writes: the store, or — joined to a site hub — a request queued for the hub
   * (the hub writes people; the person arrives through its change log). A terminal that joined a hub but runs
   * without its bundle cannot reach it: 'conflict', saying so.
   */
  enrollmentStore(): EnrollmentStore {
    if (!this.store.hubSync.link()) return this.store;
    const link = this.hubLink;
    if (!link) throw new ContractError('conflict', 'people are managed by the site hub, and this terminal runs without its hub bundle: start it with --hub to enroll here');
    return hubEnrollmentStore(this.store.persons, (request) => link.requestEnrollment(request));
  }

  /** The traces of an erased person outside the store: the webhook outbox, the recent decisions, import results. */
  private forgetPerson(personId: string): void {
    this.doorOutputs.erasePerson(personId);
    // What is kept in memory too: the door screen's recent decisions and the imports' results.
    for (let i = this.recentDecisions.length - 1; i >= 0; i--) if (this.recentDecisions[i]?.person?.id === personId) this.recentDecisions.splice(i, 1);
    this.imports.erasePerson(personId);
  }

  /**
   * Applies the settings the hub set for this door — the site's, with this door's policy's over them — through the
   * same checks as an administrator's change; `access.policy` merged key by key, and a setting the hub stops
   * setting back at the door's own value (hub-settings.ts). A value the terminal refuses (a camera that gives no
   * picture, an unknown key) is logged and changes nothing; the door keeps deciding with what it has.
   */
  private async applyHubSettings(): Promise<void> {
    const { site, door } = this.store.hubSync.hubSettings();
    const { values, unknown, own } = hubSettingValues(site, door, this.store.settings.getAll(), this.store.hubSync.ownSettings());
    if (unknown.length > 0) this.options.logger.error('hub.settings-refused', { error: `no such setting: ${unknown.join(', ')}` });
    if (Object.keys(values).length === 0) return;
    try {
      await this.updateSettings(values as Partial<Settings>);
      this.store.hubSync.setOwnSettings(own);
    } catch (error) {
      this.options.logger.error('hub.settings-refused', { error: (error as Error).message });
    }
  }

  /**
   * Connects to the site hub: its changes are applied to the store (an erasure also forgets the person outside
   * it, new samples without a template of the running extractor are rebuilt from their crops), and every
   * decision is sent at once rather than at the outbox's next poll.
   */
  private startHubLink(bundle: HubBundle): void {
    const link = HubLink.start({
      bundle,
      host: {
        store: this.store,
        logger: this.options.logger,
        appVersion: this.options.version,
        runningModelId: () => this.service?.matcher.modelId ?? null,
        doorState: () => {
          const state = this.doorInputs.configured ? this.doorInputs.health().state : 'unknown';
          return state === 'unknown' ? {} : { open: state !== 'closed' };
        },
        afterApplied: (page) => {
          for (const personId of page.erased) this.forgetPerson(personId);
          if (page.put.length > 0 && this.service && this.rebuildState?.state !== 'running') this.resumeRebuild(this.service);
          if (page.put.length > 0 && this.service) this.estimateAges(this.service);
          // The site's schedules and the door's allowed groups are in the decision policy at once, as a settings
          // change would put them; the other settings the hub set go through the terminal's own checks.
          if (page.schedules.length > 0 || page.settingsChanged) this.service?.updateDecisionSettings(this.store.settings.get('access.policy'));
          if (page.settingsChanged) void this.applyHubSettings();
        },
        remoteOpen: async () => void (await this.doorAction({ kind: 'remote-open' }, 'hub')),
      },
    });
    this.hubLink = link;
    const unsubscribe = this.hub.subscribe((message) => {
      if (message.kind === 'decision') link.eventsWritten();
    });
    this.unwireHub = () => unsubscribe();
  }

  /**
   * Folders imports may read: the data folder's `imports/` (made if missing) and the `import.roots` setting's.
   */
  importRoots(): string[] {
    const own = join(this.options.dataDir, 'imports');
    try {
      mkdirSync(own, { recursive: true, mode: 0o700 });
    } catch {
      // A read-only data folder: imports then come from the configured folders only.
    }
    // The setting takes POSIX and Windows paths alike; one that is not absolute here is not a folder here.
    return [own, ...this.store.settings.get('import.roots').filter((root) => isAbsolute(root))];
  }

  /**
   * Checks and stores settings, then applies them. Model ids and the camera URI are checked before anything
   * is written, so a typo answers 'invalid-request' and changes nothing.
   */
  async updateSettings(values: Partial<Settings>): Promise<Settings> {
    return this.serialised(async () => {
      const manifest = await loadManifest(this.manifestPath, undefined, { addedModelsDir: this.addedModels.dir });
      const checkModel = (key: keyof Settings, id: string | null | undefined, role: string): void => {
        if (id === null || id === undefined) return;
        let found;
        try {
          found = modelEntry(manifest, id);
        } catch {
          throw new StoreError('invalid', `setting ${key}: no model "${id}" in the manifest`);
        }
        if (found.role !== role) throw new StoreError('invalid', `setting ${key}: "${id}" is a ${found.role}, not a ${role}`);
        try {
          resolveModel(manifest, id);
        } catch (error) {
          // A model the administrator adds but has not: the message names it and says where to get it.
          if (error instanceof ModelNotAddedError) throw new StoreError('invalid', `setting ${key}: ${error.message}`);
          throw error;
        }
      };
      checkModel('recognition.extractorModelId', values['recognition.extractorModelId'], 'extractor');
      checkModel('liveness.modelId', values['liveness.modelId'], 'liveness');
      this.checkCardFormat(values);
      this.checkCardReaderFormat(values);
      const cameraUri = values['camera.uri'];
      if (cameraUri && cameraUri !== this.store.settings.get('camera.uri')) await this.checkCamera(cameraUri);
      if (values['door.outputs']) {
        // Built before it is stored: a configuration the outputs refuse is never written.
        let next: DoorOutputs;
        try {
          next = this.buildDoorOutputs(values['door.outputs']);
        } catch (error) {
          if (error instanceof DoorConfigError) throw new StoreError('invalid', `setting door.outputs: ${error.message}`);
          throw error;
        }
        await next.close();
      }
      await this.checkDoorLines(values);
      const before = this.store.settings.getAll();
      const after = this.store.settings.update(values);
      const changed = (key: keyof Settings): boolean => JSON.stringify(before[key]) !== JSON.stringify(after[key]);
      if (changed('door.outputs') || changed('credentials.customFormats')) {
        const old = this.doorOutputs;
        this.doorOutputs = this.buildDoorOutputs(after['door.outputs']);
        await old.close();
      }
      // The card reader reads with the card formats: rebuilt when they change, not for a change of the contact alone.
      const readerSettings = (settings: Settings): string => JSON.stringify([settings['door.inputs'].cardReader, settings['door.inputs'].consumer, settings['credentials.format'], settings['credentials.customFormats']]);
      const readerChanged = readerSettings(before) !== readerSettings(after);
      if (changed('door.inputs') || readerChanged) {
        // The old lines go first: the new configuration may request the same ones (a contact's line now the reader's).
        if (changed('door.inputs')) await this.doorInputs.close();
        if (readerChanged) await this.cardReader.close();
        if (changed('door.inputs')) {
          this.doorInputs = this.buildDoorInputs(after['door.inputs']);
          await this.doorInputs.start();
        }
        if (readerChanged) {
          this.cardReader = this.buildCardReader(after);
          await this.cardReader.start();
        }
        this.hub.health(this.health());
      }
      // The door screen reads it from health: shown or hidden at once, not at the next tick.
      if (changed('door.showDiagnostics')) this.hub.health(this.health());
      if (RESTART_KEYS.some(changed) || (changed('camera.uri') && !this.service)) {
        await this.stopService();
        await this.startService();
      } else {
        if (changed('camera.uri')) await this.replaceCamera(after['camera.uri'] ?? this.options.defaultCameraUri);
        if (changed('access.policy')) this.service?.updateDecisionSettings(after['access.policy']);
        // The 1:N threshold is read at each search: a new target or override applies to the next face.
        if (changed('recognition.targetFpir')) this.service?.setTargetFpir(after['recognition.targetFpir']);
        if (changed('recognition.identifySimilarity')) this.service?.setIdentifyOverride(after['recognition.identifySimilarity'] ?? undefined);
      }
      this.options.logger.info('settings.changed', { keys: Object.keys(values) });
      return after;
    });
  }

  /** The cameras and GPIO chips present, for the settings screen's lists. */
  hardware(): Promise<HardwareInventory> {
    return listHardware({ ...this.options.hardware, ...(this.options.gpioSyscalls ? { gpioSyscalls: this.options.gpioSyscalls } : {}) });
  }

  /**
   * A camera URI about to be saved must name a camera that opens and gives a picture; it is tried on a camera of
   * its own, so the live one runs on whatever the outcome. The live camera's own V4L2 device cannot be opened twice:
   * it is asked whether it offers the format and size instead.
   */
  private async checkCamera(uri: string): Promise<void> {
    let config;
    let camera;
    try {
      config = parseCameraUri(uri);
      camera = createCamera(uri);
    } catch (error) {
      throw new StoreError('invalid', `setting camera.uri: ${(error as Error).message}`);
    }
    const liveDevice = sameV4l2Device(this.service?.camera.uri, uri);
    const problem =
      liveDevice !== null && config.kind === 'v4l2'
        ? await cameraOffers(liveDevice, { format: config.format, widthPx: config.widthPx, heightPx: config.heightPx }, this.options.hardware?.v4l2Syscalls)
        : await checkCameraGivesFrame(camera, this.options.cameraCheckTimeoutMs);
    if (problem !== null) throw new StoreError('invalid', `setting camera.uri: the camera ${uri} cannot be used: ${problem}`);
  }

  /**
   * Adds a model file (the System screen): checked, converted and recorded by `addedModels`. When the model is
   * one the terminal would now run — the preferred extractor present while no extractor is set, or the model a
   * setting names — the service restarts with it; a new extractor rebuilds the templates as a settings change does.
   */
  async addModel(fileBytes: Uint8Array, fileName: string, role?: ModelRole): Promise<AddedModelRecord> {
    return this.serialised(async () => {
      const record = await this.addedModels.add(fileBytes, fileName, role === undefined ? {} : { role });
      this.options.logger.info('models.added', { id: record.id, file: record.originalFile, sha256: record.sha256 });
      const settings = this.store.settings.getAll();
      const extractorWanted = settings['recognition.extractorModelId'] ?? preferredExtractorId(await this.addedModels.load());
      const running = this.service?.matcher.modelId;
      if (running !== extractorWanted || settings['liveness.modelId'] === record.id) {
        await this.stopService();
        await this.startService();
      }
      return record;
    });
  }

  /**
   * A door action an administrator asked for, logged as an event first (reason `remote-open`: every output acts;
   * `output-test`: the named one only, a Wiegand or OSDP output with facility 0 card 0 of the credential format).
   * 'not-found' for an output name not configured.
   */
  async doorAction(action: { readonly kind: 'remote-open' } | { readonly kind: 'output-test'; readonly name: string }, username: string): Promise<{ eventId: number; outcomes: { name: string; kind: string; status: 'done' | 'queued' | 'skipped' | 'failed'; detail: string }[] }> {
    const outputs = this.doorOutputs;
    const output = action.kind === 'output-test' ? outputs.outputs.find((candidate) => candidate.name === action.name) : undefined;
    if (action.kind === 'output-test' && !output) throw new StoreError('not-found', `no door output named "${action.name}"`);
    const atMs = Date.now();
    const eventId = this.store.events.append({ atMs, decision: 'granted', reason: action.kind });
    this.options.logger.info(`door.${action.kind}`, { eventId, username, ...(output ? { output: output.name } : {}) });
    const event: DoorEvent = {
      id: eventId,
      atMs,
      decision: 'granted',
      reason: action.kind,
      ...(output?.kind === 'wiegand' || output?.kind === 'osdp' ? { credential: { facilityCode: 0, cardNumber: 0, format: this.store.settings.get('credentials.format') } } : {}),
    };
    // Every output acts, or a relay is tested: the door may open now without counting as forced.
    const report = await this.openDoor(event, output ? new DoorOutputs([output], { logger: this.options.logger }) : outputs, !output || output.kind === 'gpio');
    return {
      eventId,
      outcomes: report.outcomes.map(({ name, kind, result }) => ({
        name,
        kind,
        status: result.status,
        detail: result.status === 'failed' ? result.error : result.status === 'queued' ? `queued (${result.pending} pending)` : result.detail,
      })),
    };
  }

  /** A granted event with the person's card credential, for the panel outputs; other events as they are. */
  withCredential(event: DoorEvent): DoorEvent {
    if (event.decision !== 'granted' || !event.personId) return event;
    const credential = this.store.persons.get(event.personId)?.credential;
    if (!credential) return event;
    const format = this.store.settings.get('credentials.format');
    return { ...event, credential: { ...(credential.facilityCode === null ? {} : { facilityCode: credential.facilityCode }), cardNumber: credential.cardNumber, format } };
  }

  /**
   * A change of card format must leave every stored credential usable: the format must exist, and each
   * person's numbers must fit it. The message names the first people that do not.
   */
  private checkCardFormat(values: Partial<Settings>): void {
    if (values['credentials.format'] === undefined && values['credentials.customFormats'] === undefined) return;
    const name = values['credentials.format'] ?? this.store.settings.get('credentials.format');
    const custom = values['credentials.customFormats'] ?? this.store.settings.get('credentials.customFormats');
    let format;
    try {
      format = resolveCardFormat(name, custom);
    } catch (error) {
      if (error instanceof CardFormatError) throw new StoreError('invalid', `setting credentials.format: ${error.message}`);
      throw error;
    }
    const misfits = this.store.persons.listCredentials().filter(({ credential }) => credentialProblems(format, credential).length > 0);
    if (misfits.length > 0) {
      const names = misfits.slice(0, 5).map(({ name: person, credential }) => `${person} (${credential.facilityCode === null ? '' : `facility ${credential.facilityCode}, `}card ${credential.cardNumber})`);
      throw new StoreError('invalid', `setting credentials.format: ${misfits.length} person(s) carry a credential that does not fit ${format.name} (facility ${format.maxFacilityCode === null ? 'none' : `0–${format.maxFacilityCode}`}, card 0–${format.maxCardNumber}): ${names.join(', ')}${misfits.length > 5 ? ', …' : ''}; change their credentials first`);
    }
  }

  /**
   * The card reader's own format (`door.inputs` cardReader.format) must be one the terminal knows, with the custom
   * formats as they are being saved: a custom format the reader reads cannot be removed under it.
   */
  private checkCardReaderFormat(values: Partial<Settings>): void {
    if (values['door.inputs'] === undefined && values['credentials.customFormats'] === undefined) return;
    const name = (values['door.inputs'] ?? this.store.settings.get('door.inputs')).cardReader?.format ?? null;
    const custom = values['credentials.customFormats'] ?? this.store.settings.get('credentials.customFormats');
    const names = cardFormatNames(custom);
    if (name === null || names.includes(name)) return;
    if (values['door.inputs'] !== undefined) throw new StoreError('invalid', `setting door.inputs: cardReader.format: no card format "${name}": choose one of ${names.join(', ')}`);
    throw new StoreError('invalid', `setting credentials.customFormats: the card reader reads format "${name}" (door.inputs cardReader.format): change the reader's format first`);
  }

  /**
   * Drives `outputs` for an event; a grant (or `opensLock`) first opens the window in which the door contact may
   * open without it counting as a forced door.
   */
  private openDoor(event: DoorEvent, outputs: DoorOutputs = this.doorOutputs, opensLock = event.decision === 'granted'): Promise<DoorOpenReport> {
    if (opensLock) this.doorInputs.authorise(this.openWindowMs());
    return outputs.open(event).then((report) => {
      // A grant whose door did not open: the door screen says so now, not at the next health tick.
      if (report.failed > 0) this.hub.health(this.health());
      return report;
    });
  }

  /** After a grant, how long the door may open: the longest relay pulse (or 5 s without a relay) and the debounce. */
  private openWindowMs(): number {
    const pulsesMs = this.store.settings.get('door.outputs').flatMap((output) => (output.kind === 'gpio' ? [output.pulseMs] : []));
    return (pulsesMs.length === 0 ? OPEN_WINDOW_WITHOUT_RELAY_MS : Math.max(...pulsesMs)) + this.doorInputs.config.debounceMs;
  }

  /** How the door inputs and the card reader request their lines: on the given system calls (tests), else their default. */
  private inputLinesOpener(): { openLines?: DoorInputLinesFactory } {
    const sys = this.options.gpioSyscalls;
    return sys === undefined ? {} : { openLines: async (options) => (await import('../../../native-bridge/gpio/gpio-input.js')).GpioInputLines.open(options, { sys }) };
  }

  private buildDoorInputs(config: Settings['door.inputs']): DoorInputs {
    return new DoorInputs(config, { logger: this.options.logger, onEvent: (event) => this.onDoorInput(event), ...this.inputLinesOpener() });
  }

  /** A forced or held door and an exit request go to the access log; every change of the door to health at once. */
  private onDoorInput(event: DoorInputEvent): void {
    switch (event.kind) {
      case 'exit-request':
        void this.exitRequest(event.atMs);
        break;
      case 'forced-open':
      case 'held-open':
        this.logDoorEvent(event.atMs, 'denied', `door-${event.kind}`);
        break;
      case 'opened':
        this.options.logger.info('door.opened', { authorised: event.authorised });
        break;
      case 'closed':
        this.options.logger.info('door.closed', { openForMs: event.openForMs });
        break;
    }
    this.hub.health(this.health());
  }

  private buildCardReader(settings: Settings): CardReader {
    const inputs = settings['door.inputs'];
    return new CardReader(
      { config: inputs.cardReader, siteFormat: settings['credentials.format'], customFormats: settings['credentials.customFormats'], consumer: inputs.consumer },
      {
        logger: this.options.logger,
        onCard: (read) => this.onCard(read),
        onUnreadable: (frame) => this.onUnreadableCard(frame),
        ...this.inputLinesOpener(),
      },
    );
  }

  /** A card read starts the card + face check of its holder; without a running service nobody can be checked. */
  private onCard(read: CardRead): void {
    const { credential, formatName, atMs } = read;
    const service = this.service;
    if (!service) {
      const why = this.serviceFailure ? `the terminal is not running: ${this.serviceFailure}` : 'the terminal is starting';
      this.options.logger.info('door.card.ignored', { why, format: formatName, facilityCode: credential.facilityCode, cardNumber: credential.cardNumber });
      return;
    }
    service.presentCard(credential, atMs);
  }

  /** A frame that could not be read is a denied access event: someone presented something at the door. */
  private onUnreadableCard(frame: UnreadableCard): void {
    this.options.logger.info('door.card.unreadable', { reason: frame.reason, bits: frame.bits });
    this.logDoorEvent(frame.atMs, 'denied', 'card-unreadable');
  }

  /** Writes a door event to the access log; undefined when it cannot be written (a full disk shows in health). */
  private logDoorEvent(atMs: number, decision: 'granted' | 'denied', reason: string): number | undefined {
    try {
      const eventId = this.store.events.append({ atMs, decision, reason });
      this.storage.written();
      return eventId;
    } catch (error) {
      if (!this.storage.writeFailed(error)) this.options.logger.error('door.event-not-logged', { reason, error: (error as Error).message });
      return undefined;
    }
  }

  /**
   * The exit button was pressed: logged as `exit-request`, then the door outputs act as for a grant. When the
   * event cannot be written the relays open all the same (nobody is kept in by a full disk), the other outputs not.
   */
  private async exitRequest(atMs: number): Promise<void> {
    const eventId = this.logDoorEvent(atMs, 'granted', 'exit-request');
    this.options.logger.info('door.exit-request', { eventId: eventId ?? null });
    const outputs = eventId !== undefined ? this.doorOutputs : new DoorOutputs(this.doorOutputs.outputs.filter((output) => output.kind === 'gpio'), { logger: this.options.logger });
    await this.openDoor({ id: eventId ?? 0, atMs, decision: 'granted', reason: 'exit-request' }, outputs);
  }

  /**
   * The GPIO lines of the door settings being saved: each chip there with the line, and no line both a door
   * output's and a door input's. Values that do not parse are left to the settings' own check.
   */
  private async checkDoorLines(values: Partial<Settings>): Promise<void> {
    const saving = (['door.outputs', 'door.inputs'] as const).filter((key) => values[key] !== undefined);
    if (saving.length === 0) return;
    const outputs = doorOutputsConfigSchema.safeParse(values['door.outputs'] ?? this.store.settings.get('door.outputs'));
    const inputs = doorInputsConfigSchema.safeParse(values['door.inputs'] ?? this.store.settings.get('door.inputs'));
    if (!outputs.success || !inputs.success) return;
    const uses = gpioLineUses(outputs.data, inputs.data);
    const problems = [...sharedLineProblems(uses), ...(await missingLineProblems(uses, saving, chipProbe(this.options.gpioSyscalls)))];
    for (const key of saving) {
      const messages = problems.filter((problem) => problem.setting === key).map((problem) => problem.message);
      if (messages.length > 0) throw new StoreError('invalid', `setting ${key}: ${messages.join('; ')}`);
    }
  }

  private buildDoorOutputs(config: Settings['door.outputs']): DoorOutputs {
    const sys = this.options.gpioSyscalls;
    return createDoorOutputs(config, {
      logger: this.options.logger,
      ...(sys === undefined ? {} : { openGpioLine: async (options) => (await import('../../../native-bridge/gpio/gpio-line.js')).GpioOutputLine.open(options, { sys }) }),
      onPanelIndication: (indication) => this.hub.panel(indication),
      productVersion: this.options.version,
      dataDir: this.options.dataDir, customCardFormats: this.store.settings.get('credentials.customFormats') });
  }

  /**
   * `lintel pad install | remove` write the cue into the data folder from a shell: the service restarts with it
   * (the inference worker measures what the cue reads), as it would at the next start.
   */
  private watchSitePadCue(): void {
    const file = sitePadCuePath(this.options.dataDir);
    this.closeCueWatcher = watchFileSettled(
      file,
      SITE_CUE_SETTLE_MS,
      () =>
        void this.serialised(async () => {
          if (this.closed) return;
          this.options.logger.info('liveness.site-cue.changed', { file });
          await this.stopService();
          await this.startService();
          this.hub.health(this.health());
        }),
      (error) => this.options.logger.warn('liveness.site-cue.watch-failed', { message: error.message }),
    );
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async startService(): Promise<void> {
    if (this.closed) return;
    const settings = this.store.settings.getAll();
    const uri = settings['camera.uri'] ?? this.options.defaultCameraUri;
    let service: TerminalService;
    try {
      const camera = createCamera(uri);
      service = await TerminalService.start({
        store: this.store,
        camera,
        manifestPath: this.manifestPath,
        addedModelsDir: this.addedModels.dir,
        sitePadCueFile: sitePadCuePath(this.options.dataDir),
        decisionSettings: settings['access.policy'],
        sinks: [{ open: (event) => this.openDoor(this.withCredential(event)) }],
        snapshots: () => this.store.settings.get('events.snapshots'),
        ...(settings['recognition.extractorModelId'] !== null ? { extractorId: settings['recognition.extractorModelId'] } : {}),
        ...(settings['recognition.identifySimilarity'] !== null ? { identifySimilarity: settings['recognition.identifySimilarity'] } : {}),
        targetFpir: settings['recognition.targetFpir'],
        ...(settings['liveness.modelId'] !== null ? { livenessModelId: settings['liveness.modelId'] } : {}),
        ...(this.options.npu ? { npu: this.options.npu } : {}),
        ...(this.options.intraOpThreads !== undefined ? { intraOpThreads: this.options.intraOpThreads } : {}),
        ...(this.options.challengeSeed !== undefined ? { challengeRandom: createSeededRandom(this.options.challengeSeed) } : {}),
      });
    } catch (error) {
      this.serviceFailure = (error as Error).message;
      this.options.logger.error('terminal.start-failed', { error: this.serviceFailure, camera: uri });
      return;
    }
    this.serviceFailure = undefined;
    this.service = service;
    this.hub.cameraReplaced();
    const onAnalysis = (analysis: FrameAnalysis): void => this.hub.analysis(analysis, service.settings);
    const onDecision = (decision: DecisionEvent): void => {
      this.storage.written();
      this.recentDecisions.unshift(decision);
      this.recentDecisions.length = Math.min(this.recentDecisions.length, 50);
      this.hub.decision(decision);
    };
    const onError = (error: Error): void => {
      // An event that cannot be written for lack of space: the door stayed shut; health says why, logged once.
      if (this.storage.writeFailed(error)) return void this.hub.health(this.health());
      this.options.logger.error('terminal.error', { error: error.message });
    };
    const onChallenge = (update: ChallengeUpdate): void => this.hub.challenge(update);
    const onCard = (update: CardUpdate): void => this.hub.card(update);
    service.on('analysis', onAnalysis).on('decision', onDecision).on('challenge', onChallenge).on('card', onCard).on('error', onError);
    this.unwireCamera = service.camera.onFrame((frame) => this.hub.frame(frame));
    this.unwire = [() => service.off('analysis', onAnalysis).off('decision', onDecision).off('challenge', onChallenge).off('card', onCard).off('error', onError)];
    this.hub.health(service.health());
    this.options.logger.info('terminal.started', { camera: uri, models: service.health().models, backend: service.health().backend, liveness: service.health().liveness });
    if (this.options.challengeSeed !== undefined) this.options.logger.info('liveness.repeatable-challenges', { warning: 'challenge actions follow a fixed seed (LINTEL_CHALLENGE_SEED): for tests only, never on a door' });
    this.resumeRebuild(service);
    this.estimateAges(service);
  }

  /** Another camera for the running service: the models stay loaded. */
  private async replaceCamera(uri: string): Promise<void> {
    const service = this.requireService();
    this.enrollments.endAll();
    this.unwireCamera?.();
    const camera = createCamera(uri);
    await service.replaceCamera(camera);
    this.hub.cameraReplaced();
    this.unwireCamera = camera.onFrame((frame) => this.hub.frame(frame));
    this.options.logger.info('camera.replaced', { camera: uri });
  }

  private async stopService(): Promise<void> {
    this.enrollments.endAll();
    this.rebuildAbort?.abort();
    this.agesRun?.abort.abort();
    await Promise.all([this.rebuildRun, this.agesRun?.done]);
    this.unwireCamera?.();
    this.unwireCamera = undefined;
    const service = this.service;
    this.service = undefined;
    await service?.stop();
    // Unwired only once stopped: a frame still being decided reports its decision, and an error of it has a
    // listener (an 'error' event with none would throw).
    for (const stop of this.unwire) stop();
    this.unwire = [];
  }

  /**
   * Samples without a template of the service's extractor (it changed, or a rebuild was interrupted) get one
   * from their stored aligned crop, in the background; people are recognised again as their turn comes.
   */
  private resumeRebuild(service: TerminalService): void {
    const modelId = service.matcher.modelId;
    const { totalCount, doneCount } = this.store.samples.rebuildProgress(modelId);
    if (doneCount >= totalCount) return;
    const abort = new AbortController();
    this.rebuildAbort = abort;
    const state: RebuildState = { modelId, doneCount, totalCount, failedCount: 0, state: 'running' };
    this.rebuildState = state;
    this.options.logger.info('templates.rebuild-started', { modelId, missing: totalCount - doneCount });
    this.rebuildRun = this.store
      .rebuildTemplates({
        modelId,
        extract: (crop) => service.embedAligned(crop),
        signal: abort.signal,
        onProgress: (progress) => Object.assign(state, progress),
      })
      .then((result) => {
        Object.assign(state, { doneCount: result.doneCount, totalCount: result.totalCount, failedCount: result.failedCount });
        if (result.aborted) return;
        state.state = result.failedCount > 0 ? 'failed' : 'done';
        if (result.failedCount === 0) this.store.pruneTemplates(modelId);
        this.options.logger.info('templates.rebuild-ended', { modelId, done: result.doneCount, failed: result.failedCount });
      })
      .catch((error: Error) => {
        state.state = 'failed';
        this.options.logger.error('templates.rebuild-failed', { modelId, error: error.message });
      });
  }

  /**
   * Estimates the age of samples that have none (enrolled before estimates were kept, or synced from the hub) from
   * their stored crops, in the background: whether a person looks like a young child decides what the door asks of
   * them (`access.policy.credential.youngChildren`). A call while a run is going makes it go over the samples again.
   */
  private estimateAges(service: TerminalService): void {
    if (this.agesRun) {
      this.agesRun.again = true;
      return;
    }
    if (this.store.samples.countWithoutAgeEstimate() === 0) return;
    const abort = new AbortController();
    const run = async (): Promise<void> => {
      for (let pass = true; pass && !abort.signal.aborted; ) {
        if (this.agesRun) this.agesRun.again = false;
        const result = await this.store.estimateMissingAges({ estimate: (crop) => service.estimateAgeAligned(crop), signal: abort.signal });
        const [failure] = result.failures;
        if (result.estimatedCount > 0 || failure) {
          this.options.logger.info('samples.ages-estimated', { estimated: result.estimatedCount, failed: result.failures.length, ...(failure ? { firstFailure: failure.message } : {}) });
        }
        pass = this.agesRun?.again === true;
      }
    };
    const done = run()
      .catch((error: Error) => this.options.logger.error('samples.ages-failed', { error: error.message }))
      .finally(() => {
        if (this.agesRun?.abort === abort) this.agesRun = undefined;
      });
    this.agesRun = { abort, done, again: false };
  }

  /** Deletes events and snapshots past their retention. */
  runRetention(nowMs = Date.now()): { events: number; snapshots: number } {
    const settings = this.store.settings.getAll();
    const events = this.store.events.deleteOlderThan(nowMs - settings['events.retentionDays'] * DAY_MS);
    const snapshots = this.store.events.deleteSnapshotsOlderThan(nowMs - settings['events.snapshotRetentionDays'] * DAY_MS);
    if (events + snapshots > 0) this.options.logger.info('events.retention', { events, snapshots });
    return { events, snapshots };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.closeCueWatcher();
    this.imports.cancelAll();
    await this.chain;
    await this.stopService();
    await this.hub.close();
    // A cancelled import waiting for the worker has failed now that the worker is closed; the store outlives it.
    await this.imports.stopped();
    await this.doorInputs.close();
    await this.cardReader.close();
    await this.doorOutputs.close();
    this.unwireHub?.();
    await this.hubLink?.close();
    this.store.close();
  }
}
