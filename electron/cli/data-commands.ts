/**
 * `lintel enroll | import | identify | persons | events`: work on the terminal's data directory (`--data <dir>`, or
 * LINTEL_DATA_DIR, or the platform's app-data folder), the same store the kiosk and the headless terminal use.
 */
import { parseArgs } from 'node:util';

import { stat } from 'node:fs/promises';

import { MAX_CARD_FIELD } from '../shared/contract/schemas.js';
import { IdentifyThreshold, matchScoreOf } from '../terminal/access/identify-threshold.js';
import { importCsv, importFolder } from '../terminal/enrollment/bulk-import.js';
import { enrollFromPhotos } from '../terminal/enrollment/enroll-photos.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { addedModelsDir } from '../terminal/models/added-models.js';
import { TerminalStore } from '../terminal/store/store.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { decodeImageFile } from '../vision/frame/decode.js';
import { FaceMatcher } from '../vision/matcher/face-matcher.js';
import { loadManifest, modelEntry } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { FacePipeline } from '../vision/pipeline/face-pipeline.js';

const write = (text: string): void => void process.stdout.write(`${text}\n`);

/** An error the user can act on; the CLI prints its message and exits 1. */
export class DataCommandError extends Error {}

/** Opens the store and a pipeline whose matcher's gallery the store keeps current. */
async function openWorkspace(values: { data?: string; manifest?: string }) {
  const dataDir = resolveDataDir(values.data);
  const store = TerminalStore.open({ dataDir });
  try {
    const manifest = await loadManifest(values.manifest ?? defaultManifestPath(), undefined, { addedModelsDir: addedModelsDir(dataDir) });
    // The terminal's extractor: the setting, else the manifest's preferred one present (the pipeline's default).
    const extractorId = store.settings.get('recognition.extractorModelId') ?? undefined;
    // `lintel enroll` runs enrollment's young-child check, as the terminal does.
    const ageEstimatorId = manifest.manifest.defaults.age;
    const pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend(), extractorId, ...(ageEstimatorId ? { ageEstimatorId } : {}) });
    // The terminal's 1:N threshold: its curve, gallery size and target FPIR (or the override), as TerminalService has it.
    const modelId = pipeline.modelIds.extractor;
    const { thresholds, identification: curve, decoding } = modelEntry(manifest, modelId);
    if (!thresholds || decoding.kind !== 'embedding') throw new DataCommandError(`model ${modelId} has no thresholds in the manifest`);
    const override = store.settings.get('recognition.identifySimilarity');
    const threshold = new IdentifyThreshold({
      modelId,
      fixed: thresholds,
      ...(curve ? { curve } : {}),
      gallery: store,
      targetFpir: store.settings.get('recognition.targetFpir'),
      ...(override !== null ? { override } : {}),
    });
    const matcher = new FaceMatcher(modelId, decoding.size, thresholds, { identifySimilarity: () => threshold.similarity, ...(curve ? { curve } : {}) });
    store.attachGallery(modelId, matcher.gallery);
    return { store, pipeline, matcher, threshold, close: async () => (await pipeline.close(), store.close()) };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** `lintel enroll --name <name> [--id <external id>] [--group g]… <photo…>`: one person from photos. */
export async function commandEnroll(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      manifest: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      group: { type: 'string', multiple: true },
      'allow-duplicate': { type: 'boolean' },
    },
  });
  if (!values.name) throw new DataCommandError('enroll needs --name <name>');
  if (positionals.length === 0) throw new DataCommandError('enroll needs at least one photo');
  const workspace = await openWorkspace(values);
  try {
    const result = await enrollFromPhotos({
      ...workspace,
      person: { name: values.name, externalId: values.id ?? null, groups: values.group ?? [] },
      photos: positionals,
      allowDuplicate: values['allow-duplicate'] ?? false,
    });
    for (const photo of result.photos) write(`${photo.status.padEnd(13)} ${photo.file}${photo.detail ? `  ${photo.detail}` : ''}`);
    for (const duplicate of result.duplicates) write(`warning: ${JSON.stringify(duplicate)}`);
    if (result.outcome === 'enrolled') {
      write(`enrolled ${result.person.name} (${result.person.id}) with ${result.sampleIds.length} sample(s)`);
      return 0;
    }
    write(`not enrolled: ${result.reason === 'duplicate-of' ? 'already enrolled as someone else (--allow-duplicate to enroll anyway)' : 'no usable photo'}`);
    return 1;
  } finally {
    await workspace.close();
  }
}

/** `lintel import <folder | file.csv>`: bulk import with a result per file; goes on past bad files, exits 1 if any failed. */
export async function commandImport(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { data: { type: 'string' }, manifest: { type: 'string' }, group: { type: 'string', multiple: true }, 'allow-duplicate': { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const [source] = positionals;
  if (!source || positionals.length > 1) throw new DataCommandError('import takes one folder (Name/*.jpg) or one CSV file (id,name,photo)');
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new DataCommandError(`${source} does not exist`);
  const workspace = await openWorkspace(values);
  const controller = new AbortController();
  // Ctrl-C stops between photos: everyone imported so far stays, the person in progress is not written.
  const onSigint = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const common = {
      ...workspace,
      signal: controller.signal,
      groups: values.group ?? [],
      allowDuplicate: values['allow-duplicate'] ?? false,
      onProgress: (done: number, total: number) => void process.stderr.write(`\rimporting ${done}/${total}`),
    };
    const report = info.isDirectory() ? await importFolder({ ...common, root: source }) : await importCsv({ ...common, csvPath: source });
    process.stderr.write('\n');
    // A row fails when its file gave no sample and was not skipped as already enrolled; the exit code says so.
    const failed = report.results.filter((result) => result.status !== 'enrolled' && result.status !== 'skipped');
    if (values.json) write(JSON.stringify(report, null, 2));
    else {
      for (const result of report.results) if (result.status !== 'enrolled') write(`${result.status.padEnd(13)} ${result.file}  ${result.detail}`);
      const s = report.summary;
      const personsInvalid = report.persons.filter((person) => person.status === 'invalid').length;
      write(
        `${s.personsEnrolled} person(s) enrolled with ${s.samplesEnrolled} sample(s), ${s.personsRefused} refused, ${personsInvalid} invalid, ${s.personsSkipped} already enrolled; ` +
          `${failed.length} of ${s.filesDone} file(s) failed` +
          `${s.filesDone < s.filesTotal ? `, ${s.filesTotal - s.filesDone} not reached` : ''} in ${(s.durationMs / 1000).toFixed(1)} s (${s.photosPerSecond.toFixed(1)} photos/s)${s.aborted ? '; interrupted' : ''}`,
      );
    }
    return report.summary.aborted || failed.length > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    await workspace.close();
  }
}

/**
 * `lintel identify <photo>`: who the largest face is, or unknown, with the match score (0–100, from the
 * extractor's curve; null without one), the raw cosine, and the threshold the terminal would use; when unknown,
 * the closest enrolled person with their score. The gallery is counted in people (one mean template each).
 */
export async function commandIdentify(args: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { data: { type: 'string' }, manifest: { type: 'string' } } });
  const [photo] = positionals;
  if (!photo || positionals.length > 1) throw new DataCommandError('identify takes one photo');
  const image = await decodeImageFile(photo);
  const { store, pipeline, matcher, threshold, close } = await openWorkspace(values);
  try {
    const [face] = (await pipeline.analyse(image)).faces;
    if (!face) throw new DataCommandError(`no face found in ${photo}`);
    const { template } = await pipeline.extract(image, face);
    // The closest person whatever the similarity, so a near miss names who it nearly was; the door's search
    // (matcher.identify) leaves out everyone below the 1:1 threshold.
    const [closest] = matcher.gallery.search(template.vector, { topK: 1 });
    const state = threshold.state();
    const identified = matcher.identify(template.vector)[0]?.match === true;
    const closestPerson = closest ? store.persons.get(closest.id) : undefined;
    const closestMatch =
      closest && closestPerson
        ? { personId: closestPerson.id, name: closestPerson.name, matchScore: matcher.matchScore(closest.similarity), similarity: Number(closest.similarity.toFixed(4)) }
        : null;
    const facts = {
      threshold: { similarity: Number(state.thresholdSimilarity.toFixed(4)), source: state.source, targetFpir: state.targetFpir, ...(state.note ? { note: state.note } : {}) },
      // One mean template per person (PersonGallery): a stranger gets one chance per person, whatever their samples.
      gallery: { persons: state.gallerySize, templates: state.galleryTemplates },
    };
    write(JSON.stringify(identified && closestMatch ? { photo, result: 'identified', ...closestMatch, ...facts } : { photo, result: 'unknown', closest: closestMatch, ...facts }, null, 2));
  } finally {
    await close();
  }
}

/** `lintel persons [--search text]`: the enrolled persons, one line each. */
export async function commandPersons(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...args], options: { data: { type: 'string' }, search: { type: 'string' }, json: { type: 'boolean' } } });
  const store = TerminalStore.open({ dataDir: resolveDataDir(values.data) });
  try {
    const { persons, total } = store.persons.list({ search: values.search, limit: 500 });
    if (values.json) return write(JSON.stringify({ total, persons }, null, 2));
    for (const person of persons) {
      const validity = [person.validFromMs, person.validUntilMs].some((ms) => ms !== null)
        ? ` valid ${person.validFromMs ? new Date(person.validFromMs).toISOString() : '…'} – ${person.validUntilMs ? new Date(person.validUntilMs).toISOString() : '…'}`
        : '';
      write(`${person.id}  ${person.name}${person.externalId ? ` [${person.externalId}]` : ''}${person.enabled ? '' : ' (disabled)'}  ${person.sampleCount} sample(s)${person.groups.length ? `  groups: ${person.groups.join(', ')}` : ''}${validity}`);
    }
    write(`${total} person(s)`);
  } finally {
    store.close();
  }
}

/**
 * `lintel events [--since ISO] [--decision granted|denied] [--card <number>] [--limit n]`: the access log, newest
 * first, with the match score (0–100, from the curve of the event's model in the manifest) where there is one, else
 * the cosine, and the card shown where there was one.
 */
export async function commandEvents(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      data: { type: 'string' },
      manifest: { type: 'string' },
      since: { type: 'string' },
      decision: { type: 'string' },
      card: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean' },
    },
  });
  const fromMs = values.since ? Date.parse(values.since) : undefined;
  if (fromMs !== undefined && Number.isNaN(fromMs)) throw new DataCommandError(`--since ${values.since} is not a date (use e.g. 2026-11-24T08:00)`);
  if (values.decision && values.decision !== 'granted' && values.decision !== 'denied') throw new DataCommandError('--decision is granted or denied');
  const cardNumber = values.card !== undefined ? Number(values.card) : undefined;
  if (cardNumber !== undefined && !(/^\d+$/.test(values.card ?? '') && cardNumber <= MAX_CARD_FIELD)) throw new DataCommandError(`--card ${values.card} is not a card number (digits, at most 48 bits)`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new DataCommandError('--limit must be a whole number ≥ 1');
  const dataDir = resolveDataDir(values.data);
  const manifest = await loadManifest(values.manifest ?? defaultManifestPath(), undefined, { addedModelsDir: addedModelsDir(dataDir) });
  const curves = new Map(Object.entries(manifest.manifest.models).flatMap(([id, model]) => (model.identification ? [[id, model.identification] as const] : [])));
  const store = TerminalStore.open({ dataDir });
  try {
    const page = store.events.query({
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(values.decision ? { decision: values.decision as 'granted' | 'denied' } : {}),
      ...(cardNumber !== undefined ? { cardNumber } : {}),
      limit,
    });
    // The stored cosine keeps its meaning; the match score is computed to show, from the event's own model.
    const events = page.events.map((event) => ({ ...event, matchScore: matchScoreOf(curves, event.modelId, event.similarity) }));
    if (values.json) return write(JSON.stringify(events, null, 2));
    for (const event of events) {
      const name = event.personName ?? (event.personErasedAtMs ? '(erased)' : '-');
      const score = event.matchScore !== null ? `  match ${event.matchScore}` : event.similarity !== null ? `  cosine ${event.similarity.toFixed(3)}` : '';
      const card = event.card ? `  card ${event.card.facilityCode !== null ? `${event.card.facilityCode}:` : ''}${event.card.cardNumber}` : '';
      write(`${new Date(event.atMs).toISOString()}  ${event.decision.padEnd(7)} ${event.reason.padEnd(16)} ${name}${score}${card}`);
    }
  } finally {
    store.close();
  }
}

/**
 * `lintel admin add --username <name> (--pin <digits> | --password-stdin)`, and `lintel admin unlock <name>`:
 * ends every wait wrong secrets put on that username, from every source, at once (the running terminal reads
 * the same store).
 */
export async function commandAdmin(args: readonly string[]): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === 'unlock') return adminUnlock(rest);
  if (verb !== 'add') throw new DataCommandError('admin knows two verbs: add and unlock');
  const { values } = parseArgs({
    args: rest,
    options: { data: { type: 'string' }, username: { type: 'string' }, pin: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  });
  if (!values.username) throw new DataCommandError('admin add needs --username <name>');
  if ((values.pin === undefined) === !values['password-stdin']) throw new DataCommandError('admin add needs one of --pin <digits> or --password-stdin');
  let secret = values.pin;
  if (values['password-stdin']) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const store = TerminalStore.open({ dataDir: resolveDataDir(values.data) });
  try {
    await store.admins.create(values.username, values.pin !== undefined ? 'pin' : 'password', secret ?? '');
    write(`administrator ${values.username.trim()} created`);
    return 0;
  } finally {
    store.close();
  }
}

function adminUnlock(args: readonly string[]): number {
  const { values, positionals } = parseArgs({ args: [...args], options: { data: { type: 'string' } }, allowPositionals: true });
  const [username, ...extra] = positionals;
  if (!username || extra.length > 0) throw new DataCommandError('admin unlock needs one username: lintel admin unlock <name>');
  const store = TerminalStore.open({ dataDir: resolveDataDir(values.data) });
  try {
    if (!store.admins.unlock(username)) throw new DataCommandError(`no administrator "${username.trim()}"`);
    write(`administrator ${username.trim()} unlocked: every source may try again`);
    return 0;
  } finally {
    store.close();
  }
}
