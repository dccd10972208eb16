import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { MAX_SESSION_MS, type Contract } from '../../shared/contract/channels.js';
import type { ImplementationsOf } from '../../shared/contract/handler.js';
import { ContractError } from '../../shared/contract/result.js';
import { enrollSamples } from '../enrollment/duplicates.js';
import { enrollFromPhotos } from '../enrollment/enroll-photos.js';
import { ImportFileError, resolveInsideRoots } from '../enrollment/import-files.js';
import { youngChildOf } from '../../vision/age/young-child.js';
import { addPhotosToPerson, addSamplesToPerson, checkPhoto } from '../enrollment/person-samples.js';
import { unpackZipUpload, ZipUploadError } from '../enrollment/zip-upload.js';
import { AddModelError } from '../models/added-models.js';
import type { VerifyResult } from '../store/admin-repository.js';
import { StoreError } from '../store/errors.js';
import { toWireDecision, toWireHealth, withoutFaultDetails, withoutPerson } from './stream-hub.js';
import type { TerminalApp } from './terminal-app.js';

const clockTime = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

const rateLimited = (retryAtMs: number, why: string): ContractError =>
  new ContractError('rate-limited', `${why}: try again in ${Math.max(1, Math.ceil((retryAtMs - Date.now()) / 1000))} s`, { retryAtMs });

/** The answer to a failed login; the same words for an unknown username as for a wrong secret. */
function loginFailure(verdict: Exclude<VerifyResult, { ok: true }>): ContractError {
  switch (verdict.reason) {
    case 'locked':
      return new ContractError('locked', `too many wrong attempts from here: try again at ${clockTime(verdict.lockedUntilMs)}`, { retryAtMs: verdict.lockedUntilMs });
    case 'busy':
      return rateLimited(Date.now() + 1000, 'the terminal is checking other logins');
    case 'invalid':
      return new ContractError('unauthorized', `wrong username or secret: ${verdict.triesLeft} ${verdict.triesLeft === 1 ? 'try' : 'tries'} left`, { triesLeft: verdict.triesLeft });
  }
}

/**
 * Every channel of the contract, on the app's store and service. Requests arrive parsed (the handler ran zod);
 * errors are thrown with a contract code (or a StoreError, whose codes the handler maps) and never leak
 * details beyond their message.
 */
export function implementContract(app: TerminalApp): ImplementationsOf<Contract> {
  const { store } = app;
  /** One first-admin setup at a time: the check and the create must not interleave. */
  let settingUp = false;
  /**
   * An admin session: ends `admin.sessionMaxMs` after the login, or `admin.idleLogoutMs` after the last call
   * (read at each look-up, so a changed setting applies to sessions already open).
   */
  const issueAdminSession = (username: string): { token: string; expiresAtMs: number; username: string } => {
    const ttlMs = Math.min(MAX_SESSION_MS, store.settings.get('admin.sessionMaxMs'));
    const { token, session } = app.sessions.issue('admin', username, ttlMs, { idleMs: () => store.settings.get('admin.idleLogoutMs') });
    return { token, expiresAtMs: session.expiresAtMs, username };
  };

  return {
    // The causes of faults are for the terminal itself and its admins; a device elsewhere gets what each fault is.
    'health:get': (_request, context) => (context.local === true || context.session?.level === 'admin' ? toWireHealth(app.health()) : withoutFaultDetails(toWireHealth(app.health()))),
    'decisions:recent': ({ limit }, context) => {
      const decisions = app.decisions(limit ?? 10).map(toWireDecision);
      return context.local === true || context.session?.level === 'admin' ? decisions : decisions.map(withoutPerson);
    },

    'admin:status': (_request, context) => {
      const hasAdmin = store.admins.count() > 0;
      // The setup code is shown on the kiosk's own screen only: another device must be told it by someone there.
      return { hasAdmin, session: context.session ?? null, setupCode: !hasAdmin && context.local === true ? app.setupCode() : null };
    },
    'admin:setup': async ({ username, kind, secret, setupCode }, context) => {
      if (settingUp || store.admins.count() > 0) throw new StoreError('conflict', 'an administrator already exists: log in instead');
      if (context.local !== true) {
        // Wrong codes are throttled like wrong secrets: eight digits are not to be guessed.
        const throttled = app.loginThrottle.take(context.source ?? 'local');
        if (!throttled.ok) throw rateLimited(throttled.retryAtMs, 'too many attempts from here');
        if (!app.checkSetupCode(setupCode)) {
          throw new ContractError('forbidden', 'a terminal is claimed at its own screen, or with the setup code it shows there');
        }
      }
      settingUp = true;
      try {
        await store.admins.create(username, kind, secret);
      } finally {
        settingUp = false;
      }
      const name = username.trim().normalize('NFC');
      app.options.logger.info('admin.created', { username: name });
      return issueAdminSession(name);
    },
    'admin:login': async ({ username, secret }, context) => {
      const source = context.source ?? 'local';
      const throttled = app.loginThrottle.take(source);
      if (!throttled.ok) throw rateLimited(throttled.retryAtMs, 'too many login attempts from here');
      const verdict = await store.admins.verify(username, secret, source);
      if (!verdict.ok) {
        app.options.logger.warn('admin.login-failed', { reason: verdict.reason, source });
        throw loginFailure(verdict);
      }
      return issueAdminSession(username.trim().normalize('NFC'));
    },
    'admin:logout': (_request, context) => {
      app.sessions.revoke(context.sessionToken);
      return null;
    },

    'persons:list': (query) => {
      const page = store.persons.list(query);
      // A page at a time: a few samples' estimates each.
      return { ...page, persons: page.persons.map((person) => (store.samples.youngChildOf(person.id) ? { ...person, youngChild: true } : person)) };
    },
    'persons:get': ({ id }) => {
      const person = store.persons.get(id);
      if (!person) throw new StoreError('not-found', `no person ${id}`);
      return person;
    },
    // A terminal joined to a site hub refuses local edits of people: the hub is their one writer.
    'persons:create': (input) => {
      app.assertPeopleEditable();
      return store.persons.create(input);
    },
    'persons:update': ({ id, patch }) => {
      app.assertPeopleEditable();
      return store.persons.update(id, patch);
    },
    'persons:delete': ({ id }) => {
      app.assertPeopleEditable();
      return { deleted: app.deletePerson(id) };
    },
    'persons:photo': ({ id }) => {
      // The sharpest sample is the one a person recognises themselves in.
      const [best] = store.samples.listForPerson(id).sort((a, b) => b.quality.sharpness - a.quality.sharpness);
      const crop = best ? store.samples.getCrop(best.id) : undefined;
      if (!crop) throw new StoreError('not-found', `no photo of person ${id}`);
      return { personId: id, mimeType: 'image/jpeg' as const, dataBase64: crop.toString('base64') };
    },
    'groups:list': () => store.persons.listGroups(),
    'persons:samples': ({ id }) => {
      if (!store.persons.get(id)) throw new StoreError('not-found', `no person ${id}`);
      const listed = store.samples.listForPerson(id);
      const samples = listed.flatMap((sample) => {
        const crop = store.samples.getCrop(sample.id);
        const { createdAtMs, quality, estimatedAgeYears } = sample;
        return crop ? [{ id: sample.id, createdAtMs, quality, modelIds: [...sample.modelIds], cropBase64: crop.toString('base64'), estimatedAgeYears }] : [];
      });
      return { personId: id, samples, youngChild: youngChildOf(listed.map((sample) => sample.estimatedAgeYears)) ?? null };
    },
    'persons:remove-sample': ({ sampleId }) => {
      app.assertPeopleEditable();
      const personId = store.samples.personOf(sampleId);
      if (personId === undefined) return { removed: false, remaining: 0 };
      const removed = store.deleteSample(sampleId);
      return { removed, remaining: store.samples.listForPerson(personId).length };
    },
    'persons:add-photos': async ({ id, photos, replace, allowDuplicate }) => {
      app.assertPeopleEditable();
      const service = app.requireService();
      return addPhotosToPerson({
        store,
        pipeline: service.analyser,
        matcher: service.matcher,
        personId: id,
        photos: photos.map((photo) => ({ name: photo.name, bytes: Buffer.from(photo.dataBase64, 'base64') })),
        replace: replace ?? false,
        allowDuplicate: allowDuplicate ?? false,
      });
    },

    'events:query': (query) => {
      const page = store.events.query(query);
      // Stored similarities keep their meaning (raw cosine of the event's model); the score is computed to show.
      return {
        ...page,
        events: page.events.map((event) => {
          const matchScore = app.matchScore(event.modelId, event.similarity);
          return matchScore === null ? event : { ...event, matchScore };
        }),
      };
    },
    'events:snapshot': ({ eventId }) => {
      const jpeg = store.events.getSnapshot(eventId);
      if (!jpeg) throw new StoreError('not-found', `event ${eventId} has no snapshot`);
      return { eventId, mimeType: 'image/jpeg' as const, dataBase64: jpeg.toString('base64') };
    },

    'settings:get': () => ({ settings: store.settings.getAll(), invalidStoredKeys: store.settings.invalidStoredKeys() }),
    'settings:update': ({ values }) => app.updateSettings(values),
    'door:open': (_request, context) => app.doorAction({ kind: 'remote-open' }, context.session?.subject ?? 'kiosk'),
    'door:test-output': ({ name }, context) => app.doorAction({ kind: 'output-test', name }, context.session?.subject ?? 'kiosk'),
    'system:get': () => {
      const stats = store.stats();
      return {
        version: app.options.version,
        terminalName: store.settings.get('terminal.name'),
        startedAtMs: app.startedAtMs,
        dataDir: app.options.dataDir,
        storage: { databaseBytes: stats.databaseBytes, freeBytes: app.freeBytes() },
        counts: { persons: stats.persons, samples: stats.samples, events: stats.events },
        templates: store.samples.templateCounts(),
        rebuild: app.rebuild ? { ...app.rebuild } : null,
        doorOutputs: app.outputs.health().map((health, index) => ({
          name: health.name,
          status: health.status,
          message: health.message,
          kind: app.outputs.outputs[index]?.kind ?? 'log',
          ...(health.kind === 'osdp' ? { link: health.link } : {}),
        })),
        health: toWireHealth(app.health()),
        identification: app.identification(),
        hub: app.hubStatus(),
      };
    },

    'hardware:list': () => app.hardware(),

    'models:list': () => app.addedModels.list(),
    'models:add': async ({ name, dataBase64, role }) => {
      let id: string;
      try {
        id = (await app.addModel(Buffer.from(dataBase64, 'base64'), name, role)).id;
      } catch (error) {
        // Files the terminal refuses are the administrator's to fix; a missing converter is this build's limit.
        if (error instanceof AddModelError) throw new ContractError(error.code === 'conversion-unavailable' ? 'unavailable' : 'invalid-request', error.message);
        throw error;
      }
      const listing = (await app.addedModels.list()).find((model) => model.id === id);
      if (!listing) throw new Error(`model ${id} was added but is not in the manifest's list`);
      return listing;
    },

    'enroll:photos': async ({ person, photos, allowDuplicate }) => {
      const service = app.requireService();
      return enrollFromPhotos({
        // Joined to a site hub, the enrollment becomes a request to the hub.
        store: app.enrollmentStore(),
        pipeline: service.analyser,
        matcher: service.matcher,
        person,
        photos: photos.map((photo) => ({ name: photo.name, bytes: Buffer.from(photo.dataBase64, 'base64') })),
        allowDuplicate: allowDuplicate ?? false,
      });
    },
    'enroll:live-start': ({ samplesWanted, takeOver }, context) => {
      const service = app.requireService();
      return app.enrollments.start({ camera: service.camera, processor: service.frameProcessor, matcher: service.matcher, persons: store.persons }, samplesWanted ?? 5, context.session?.subject ?? 'kiosk', takeOver ?? false);
    },
    'enroll:live-cancel': ({ sessionId }) => {
      app.enrollments.cancel(sessionId);
      return null;
    },
    'enroll:live-commit': async ({ sessionId, person, allowDuplicate }) => {
      const service = app.requireService();
      const enrollmentStore = app.enrollmentStore();
      const { samples, youngChild } = await app.enrollments.take(sessionId);
      const result = enrollSamples({ store: enrollmentStore, matcher: service.matcher, person, samples, allowDuplicate: allowDuplicate ?? false });
      // A refused duplicate keeps the session: the admin may confirm with allowDuplicate.
      if (result.outcome !== 'enrolled') return result;
      app.enrollments.end(sessionId);
      return youngChild ? { ...result, youngChild } : result;
    },
    'import:start': async ({ source, groups, allowDuplicate }) => {
      app.assertPeopleEditable();
      const service = app.requireService();
      // Only the import folders are read (links followed), so an import cannot be pointed at the system's files.
      const roots = app.importRoots();
      let real: string;
      try {
        real = await resolveInsideRoots(source.path, roots);
      } catch (error) {
        if (!(error instanceof ImportFileError)) throw error;
        if (error.reason === 'not-found') throw new StoreError('not-found', `nothing at ${source.path} on the terminal`);
        if (error.reason === 'outside-roots') {
          throw new StoreError('invalid', `${source.path} is outside the import folders (${roots.join(', ')}): copy the files into one, or add its folder to the setting import.roots`);
        }
        throw new StoreError('invalid', error.message);
      }
      const found = await stat(real).catch(() => undefined);
      if (!found) throw new StoreError('not-found', `nothing at ${source.path} on the terminal`);
      if (source.kind === 'folder' && !found.isDirectory()) throw new StoreError('invalid', `${source.path} is not a folder`);
      if (source.kind === 'csv' && !found.isFile()) throw new StoreError('invalid', `${source.path} is not a regular file`);
      const job = app.imports.start(source, { store, pipeline: service.analyser, matcher: service.matcher, groups: groups ?? [], allowDuplicate: allowDuplicate ?? false, roots });
      return { importId: job.importId };
    },
    'enroll:live-add': async ({ sessionId, personId, replace, allowDuplicate }) => {
      app.assertPeopleEditable();
      const service = app.requireService();
      const { samples } = await app.enrollments.take(sessionId);
      const result = addSamplesToPerson({ store, matcher: service.matcher, personId, samples, replace: replace ?? false, allowDuplicate: allowDuplicate ?? false });
      // A refused duplicate keeps the session, as enroll:live-commit does.
      if (result.outcome === 'added') app.enrollments.end(sessionId);
      return result;
    },
    'enroll:check-photo': async ({ photo }) => checkPhoto(app.requireService().analyser, { name: photo.name, bytes: Buffer.from(photo.dataBase64, 'base64') }),
    'import:upload': async ({ name, zipBase64, groups, allowDuplicate }) => {
      app.assertPeopleEditable();
      const service = app.requireService();
      const roots = app.importRoots();
      // Unpacked into the terminal's own import folder, imported as a folder, removed when the import has ended.
      const folder = join(roots[0] ?? join(app.options.dataDir, 'imports'), `upload-${randomUUID()}`);
      let files: number;
      try {
        ({ files } = await unpackZipUpload(Buffer.from(zipBase64, 'base64'), folder));
      } catch (error) {
        if (error instanceof ZipUploadError) throw new StoreError('invalid', `${name}: ${error.message}`);
        throw error;
      }
      const removeFolder = (): Promise<void> => rm(folder, { recursive: true, force: true });
      try {
        const job = app.imports.start({ kind: 'folder', path: folder }, { store, pipeline: service.analyser, matcher: service.matcher, groups: groups ?? [], allowDuplicate: allowDuplicate ?? false, roots }, removeFolder);
        return { importId: job.importId, files };
      } catch (error) {
        await removeFolder();
        throw error;
      }
    },
    'import:status': ({ importId }) => app.imports.get(importId),
    'import:cancel': ({ importId }) => app.imports.cancel(importId),
  };
}
