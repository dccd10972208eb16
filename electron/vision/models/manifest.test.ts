import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { isModelAdded, loadManifest, ManifestError, mirrorAverageOf, ModelNotAddedError, parseManifest, resolveModel, type LoadedManifest } from './manifest.js';

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
    for (const role of ['detector', 'fitter', 'extractor', 'liveness'] as const) {
      const id = manifest.defaults[role];
      if (id === undefined) continue;
      assert.equal(manifest.models[id]?.role, role, `default ${role} "${id}"`);
    }
    for (const [id, model] of Object.entries(manifest.models)) {
      if (model.role === 'extractor') assert.ok(model.thresholds && model.alignment, `extractor ${id} lacks thresholds or alignment`);
    }
  });

  it('ships passive + active liveness as the default mode, and refuses a mode it does not know', () => {
    assert.equal(parseManifest(MANIFEST_TEXT, MANIFEST_PATH).defaults.livenessMode, 'passive+active');
    const text = editedManifest((json) => {
      json.defaults.livenessMode = 'strict';
    });
    assertManifestError(text, /defaults\.livenessMode/);
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

describe('parseManifest: models the administrator adds', () => {
  const added = {
    kind: 'added',
    file: 'MiniFASNetV2.onnx',
    sha256: 'a'.repeat(64),
    format: 'onnx',
    licence: 'Apache-2.0',
    weightsLicence: 'Apache-2.0',
    trainingData: 'not published',
    upstream: 'minivision-ai Silent-Face-Anti-Spoofing',
    obtainFrom: 'https://github.com/minivision-ai/Silent-Face-Anti-Spoofing',
  };

  it('accepts an added source with every field, and npm sources without a kind as npm', () => {
    const manifest = parseManifest(
      editedManifest((json) => {
        (json.models['liveness-32'] as { source: unknown }).source = added;
      }),
      MANIFEST_PATH,
    );
    assert.deepEqual(manifest.models['liveness-32']?.source, added);
    assert.equal(manifest.models['blazeface-256']?.source.kind, undefined);
  });

  it('refuses an added source without obtainFrom or weights licence, naming the fields', () => {
    const { obtainFrom: _obtainFrom, weightsLicence: _weightsLicence, ...partial } = added;
    const text = editedManifest((json) => {
      (json.models['liveness-32'] as { source: unknown }).source = partial;
    });
    assertManifestError(text, /models\.liveness-32\.source\.obtainFrom/, /models\.liveness-32\.source\.weightsLicence/);
  });

  it('refuses an added source whose file is a path, whose sha256 is not hex, or whose format is unknown', () => {
    for (const [field, value] of [
      ['file', '../MiniFASNetV2.onnx'],
      ['sha256', 'not-a-hash'],
      ['format', 'caffe'],
    ] as const) {
      const text = editedManifest((json) => {
        (json.models['liveness-32'] as { source: unknown }).source = { ...added, [field]: value };
      });
      assertManifestError(text, new RegExp(`models\\.liveness-32\\.source\\.${field}`));
    }
  });

  it('refuses two added models that list the same file', () => {
    const text = editedManifest((json) => {
      const v2 = json.models['minifasnet-v2'] as { source: { sha256: string } };
      (json.models['minifasnet-v1se'] as { source: { sha256: string } }).source.sha256 = v2.source.sha256;
    });
    assertManifestError(text, /models\.minifasnet-v1se\.source\.sha256: minifasnet-v2 lists the same file/);
  });

  it('refuses a package fetched as its tarball without the tarball\'s integrity, or with one that is not sha512', () => {
    for (const integrity of [undefined, 'sha1-AAAA', 'sha512-not base64!']) {
      const text = editedManifest((json) => {
        const source = (json.models['faceplugin-512'] as { source: Record<string, unknown> }).source;
        if (integrity === undefined) delete source.integrity;
        else source.integrity = integrity;
      });
      assertManifestError(text, /models\.faceplugin-512\.source\.integrity/);
    }
  });

  it('an extractor averages with the mirror image unless its decoding says not', () => {
    const manifest = parseManifest(MANIFEST_TEXT, MANIFEST_PATH);
    assert.equal(mirrorAverageOf(manifest.models['mobilefacenet-192']!), true);
    assert.equal(mirrorAverageOf(manifest.models['faceplugin-512']!), false, 'one inference keeps it within the extraction budget');
    assert.equal(mirrorAverageOf(manifest.models['minifasnet-v2']!), false, 'not an extractor');
  });

  it('refuses an unknown source kind', () => {
    const text = editedManifest((json) => {
      (json.models['liveness-32'] as { source: unknown }).source = { ...added, kind: 'url' };
    });
    assertManifestError(text, /models\.liveness-32\.source\.kind/);
  });

  it('refuses preferred extractors that are not extractors of the manifest', () => {
    const text = editedManifest((json) => {
      json.defaults.preferredExtractors = ['mobileface-256', 'edgeface-xl', 'minifasnet-v2'];
    });
    assertManifestError(text, /defaults\.preferredExtractors\.1: no model "edgeface-xl"/, /defaults\.preferredExtractors\.2: "minifasnet-v2" has role liveness, not extractor/);
  });

  it('refuses a liveness activation it does not know', () => {
    const text = editedManifest((json) => {
      (json.models['minifasnet-v2'] as { decoding: Record<string, unknown> }).decoding.activation = 'sigmoid';
    });
    assertManifestError(text, /models\.minifasnet-v2\.decoding\.activation/);
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

describe('resolveModel: models the administrator adds', () => {
  const manifest = parseManifest(MANIFEST_TEXT, MANIFEST_PATH);

  it('without a folder of added models, says the model has not been added, where to get it and how to add it', () => {
    const loaded: LoadedManifest = { manifest, manifestPath: MANIFEST_PATH, modelsDir: '/opt/lintel/models' };
    assert.equal(isModelAdded(loaded, 'minifasnet-v2'), false);
    assert.throws(
      () => resolveModel(loaded, 'minifasnet-v2'),
      (error: unknown) => {
        assert.ok(error instanceof ModelNotAddedError);
        assert.ok(error instanceof ManifestError, 'callers that catch ManifestError catch it too');
        assert.equal(error.modelId, 'minifasnet-v2');
        assert.match(error.message, /^model minifasnet-v2 has not been added: get MiniFASNetV2\.onnx from .*Silent-Face-Anti-Spoofing.* and run `lintel models add <file>`$/);
        return true;
      },
    );
  });

  it('finds the converted file in the folder of added models, and only there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lintel-added-'));
    try {
      const path = join(dir, 'manifest.json');
      await writeFile(path, MANIFEST_TEXT);
      const addedDir = join(dir, 'data', 'models');
      const loaded = await loadManifest(path, undefined, { addedModelsDir: addedDir });
      assert.equal(loaded.addedModelsDir, addedDir);
      assert.throws(() => resolveModel(loaded, 'minifasnet-v1se'), ModelNotAddedError, 'the folder does not exist yet');
      await mkdir(addedDir, { recursive: true });
      const onnxFile = manifest.models['minifasnet-v1se']?.onnx.file ?? '';
      // The file in the npm models folder does not count: added models live in the data folder.
      await mkdir(join(dir, 'onnx'));
      await writeFile(join(dir, 'onnx', onnxFile), 'x');
      assert.throws(() => resolveModel(loaded, 'minifasnet-v1se'), ModelNotAddedError);
      await writeFile(join(addedDir, onnxFile), 'x');
      assert.equal(isModelAdded(loaded, 'minifasnet-v1se'), true);
      assert.equal(resolveModel(loaded, 'minifasnet-v1se').onnxPath, join(addedDir, onnxFile));
      assert.throws(() => resolveModel(loaded, 'minifasnet-v2'), ModelNotAddedError, 'one added model does not add the other');
      assert.equal(resolveModel(loaded, 'blazeface-256').onnxPath, join(dir, 'onnx', 'blazeface-256.onnx'), 'npm models still resolve to modelsDir');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
