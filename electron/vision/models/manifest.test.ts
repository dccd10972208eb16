import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadManifest, ManifestError, parseManifest, resolveModel, type LoadedManifest } from './manifest.js';

const MANIFEST_PATH = fileURLToPath(new URL('../../../models/manifest.json', import.meta.url));
const MANIFEST_TEXT = readFileSync(MANIFEST_PATH, 'utf8');

/** The real manifest as plain JSON, changed by `edit`, as text again. */
function editedManifest(edit: (json: { models: Record<string, Record<string, unknown>>; defaults: Record<string, unknown> }) => void): string {
  const json = JSON.parse(MANIFEST_TEXT) as { models: Record<string, Record<string, unknown>>; defaults: Record<string, unknown> };
  edit(json);
  return JSON.stringify(json);
}

/** Asserts that parsing throws a ManifestError whose message matches every pattern. */
function assertManifestError(text: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => parseManifest(text, '/etc/lintel/manifest.json'),
    (error: unknown) => {
      assert.ok(error instanceof ManifestError, `expected a ManifestError, got ${String(error)}`);
      assert.equal(error.name, 'ManifestError');
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseManifest', () => {
  it('accepts the repository manifest, whose defaults name models of their role', () => {
    const manifest = parseManifest(MANIFEST_TEXT, MANIFEST_PATH);
    assert.equal(manifest.schemaVersion, 1);
    for (const [role, id] of Object.entries(manifest.defaults)) {
      if (id === undefined) continue;
      assert.equal(manifest.models[id]?.role, role, `default ${role} "${id}"`);
    }
    for (const [id, model] of Object.entries(manifest.models)) {
      if (model.role === 'extractor') assert.ok(model.thresholds && model.alignment, `extractor ${id} lacks thresholds or alignment`);
    }
  });

  it('names the file when the text is not JSON', () => {
    assertManifestError('{ "schemaVersion": 1, ', /^\/etc\/lintel\/manifest\.json is not valid JSON: /);
  });

  it('refuses a default that names a model the manifest does not have', () => {
    const text = editedManifest((json) => {
      json.defaults.detector = 'retinaface-640';
    });
    assertManifestError(text, /is not a valid model manifest/, /defaults\.detector: no model "retinaface-640"/);
  });

  it('refuses a default whose model has another role', () => {
    const text = editedManifest((json) => {
      json.defaults.extractor = 'facemesh-468';
    });
    assertManifestError(text, /defaults\.extractor: "facemesh-468" has role fitter, not extractor/);
  });

  it('refuses an extractor without thresholds, naming the model', () => {
    const text = editedManifest((json) => {
      delete json.models['mobileface-256']?.thresholds;
    });
    assertManifestError(text, /models\.mobileface-256: an extractor needs alignment, thresholds and embedding decoding/);
  });

  it('refuses a sha256 that is not 64 lower-case hex digits, with the path of the field', () => {
    const text = editedManifest((json) => {
      const model = json.models['blazeface-256'] as { onnx: { sha256: string } };
      model.onnx.sha256 = 'ABCDEF';
    });
    assertManifestError(text, /\n {2}models\.blazeface-256\.onnx\.sha256: /);
  });

  it('lists every issue, one per line', () => {
    const text = editedManifest((json) => {
      (json.models['blazeface-256'] as { onnx: { sha256: string } }).onnx.sha256 = 'x';
      (json.models['facemesh-468'] as { onnx: { sha256: string } }).onnx.sha256 = 'y';
    });
    assertManifestError(text, /models\.blazeface-256\.onnx\.sha256/, /models\.facemesh-468\.onnx\.sha256/);
  });
});

describe('resolveModel', () => {
  const loaded: LoadedManifest = {
    manifest: parseManifest(MANIFEST_TEXT, MANIFEST_PATH),
    manifestPath: MANIFEST_PATH,
    modelsDir: '/opt/lintel/models',
  };

  it('returns the entry and the converted file inside the models folder', () => {
    const resolved = resolveModel(loaded, 'blazeface-256');
    assert.equal(resolved.id, 'blazeface-256');
    assert.equal(resolved.entry, loaded.manifest.models['blazeface-256']);
    assert.equal(resolved.onnxPath, join('/opt/lintel/models', resolved.entry.onnx.file));
  });

  it('lists the known ids when the id is unknown', () => {
    assert.throws(
      () => resolveModel(loaded, 'arcface-r100'),
      (error: unknown) => {
        assert.ok(error instanceof ManifestError);
        assert.match(error.message, /no model "arcface-r100"/);
        for (const id of Object.keys(loaded.manifest.models)) assert.ok(error.message.includes(id), `${id} not listed`);
        return true;
      },
    );
  });
});

describe('loadManifest', () => {
  it('reads a manifest and puts the models in the onnx folder beside it by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lintel-manifest-'));
    try {
      const path = join(dir, 'manifest.json');
      await writeFile(path, MANIFEST_TEXT);
      const loaded = await loadManifest(path);
      assert.equal(loaded.modelsDir, join(dir, 'onnx'));
      assert.equal(loaded.manifestPath, path);
      assert.equal((await loadManifest(path, '/srv/models')).modelsDir, '/srv/models');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says which file it cannot read', async () => {
    const missing = join(tmpdir(), 'lintel-no-such-dir', 'manifest.json');
    await assert.rejects(loadManifest(missing), (error: unknown) => {
      assert.ok(error instanceof ManifestError);
      assert.match(error.message, /cannot read the model manifest .*lintel-no-such-dir.*: ENOENT/);
      return true;
    });
  });
});
