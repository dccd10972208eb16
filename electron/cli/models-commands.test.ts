// `lintel models …` as an administrator runs it: a child process, judged by exit code and output.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { packageRoot } from '../vision/models/paths.js';
import { runLintel, type CliRun } from './test/run-lintel.js';

const ROOT = packageRoot();
const MINIFASNET_V2 = join(ROOT, '..', 'shared', 'models', 'minifasnet', 'MiniFASNetV2.onnx');

/** A refusal: exit 1, one `lintel: …` line matching `pattern`, no stack trace. */
function assertRefused(run: CliRun, pattern: RegExp): void {
  const shown = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.equal(run.code, 1, shown);
  assert.match(run.stderr, /^lintel: /, shown);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+\)?\n/, shown);
  assert.match(run.stderr, pattern, shown);
}

describe('lintel models', () => {
  let dir = '';
  let dataDir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-models-cli-'));
    dataDir = join(dir, 'data');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('list shows every model with its state and licences, and what to add', async () => {
    const run = await runLintel(['models', 'list', '--data', dataDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^blazeface-256 +detector +built in/m);
    assert.match(run.stdout, /^minifasnet-v2 +liveness +not added/m);
    assert.match(run.stdout, /licences: code Apache-2\.0, weights Apache-2\.0, training data /);
    // The default recogniser's licence, said plainly: what its package does not say is said too.
    assert.match(run.stdout, /^faceplugin-512 +extractor +built in \(default\)\n +licences: code not recorded, weights MIT, training data not stated by the package$/m);
    assert.match(run.stdout, /add MiniFASNetV2\.onnx from .*Silent-Face-Anti-Spoofing/);
    assert.ok(run.stdout.includes(join(dataDir, 'models')));
  });

  it('add refuses an unknown file, a tampered copy and a file of another kind than asked, writing nothing', async (t) => {
    const unknown = join(dir, 'notes.txt');
    await writeFile(unknown, 'not a model');
    assertRefused(await runLintel(['models', 'add', unknown, '--data', dataDir]), /notes\.txt \(sha256 [0-9a-f]{12}…\) is not a model the manifest knows; .*MiniFASNetV2\.onnx \(minifasnet-v2\)/);
    assertRefused(await runLintel(['models', 'add', join(dir, 'absent.onnx'), '--data', dataDir]), /cannot read .*absent\.onnx: ENOENT/);
    if (!existsSync(MINIFASNET_V2)) return t.skip(`MiniFASNet absent at ${MINIFASNET_V2}`);
    const bytes = await readFile(MINIFASNET_V2);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    const tampered = join(dir, 'MiniFASNetV2.onnx');
    await writeFile(tampered, bytes);
    assertRefused(await runLintel(['models', 'add', tampered, '--data', dataDir]), /MiniFASNetV2\.onnx is named like the file of minifasnet-v2 .*damaged, tampered with, or a different version/);
    assertRefused(await runLintel(['models', 'add', MINIFASNET_V2, '--role', 'extractor', '--data', dataDir]), /minifasnet-v2, a liveness model, not an extractor model/);
    assert.ok(!existsSync(join(dataDir, 'models')) || (await readdir(join(dataDir, 'models'))).length === 0, 'nothing written');
  });

  it('add takes MiniFASNet V2, says what it is and how to use it; list then shows it added', async (t) => {
    if (!existsSync(MINIFASNET_V2)) return t.skip(`MiniFASNet absent at ${MINIFASNET_V2}`);
    const run = await runLintel(['models', 'add', MINIFASNET_V2, '--role', 'liveness', '--data', dataDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^added minifasnet-v2 \(liveness\) from MiniFASNetV2\.onnx: sha256 4eed38f0bde3…/);
    assert.match(run.stdout, /liveness\.modelId = minifasnet-v2/);
    assert.deepEqual((await readdir(join(dataDir, 'models'))).sort(), ['added.json', 'minifasnet-v2.onnx']);
    const listed = await runLintel(['models', 'list', '--json', '--data', dataDir]);
    const models = JSON.parse(listed.stdout) as { id: string; state: string }[];
    assert.equal(models.find((model) => model.id === 'minifasnet-v2')?.state, 'added');
    assert.equal(models.find((model) => model.id === 'minifasnet-v1se')?.state, 'not-added');

    // Other commands see the added models of the data folder they are given, and only then.
    const sample = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
    assertRefused(await runLintel(['detect', sample, '--extractor', 'minifasnet-v2']), /model minifasnet-v2 has not been added: get MiniFASNetV2\.onnx from .* and run `lintel models add <file>`/);
    assertRefused(await runLintel(['detect', sample, '--extractor', 'minifasnet-v2', '--data', dataDir]), /minifasnet-v2 is a liveness, not a face extractor/);

    const removed = await runLintel(['models', 'remove', 'minifasnet-v2', '--data', dataDir]);
    assert.equal(removed.code, 0, removed.stderr);
    assertRefused(await runLintel(['models', 'remove', 'minifasnet-v2', '--data', dataDir]), /model minifasnet-v2 has not been added/);
  });

  it('a missing or unknown subcommand is refused', async () => {
    assertRefused(await runLintel(['models', 'install', '--data', dataDir]), /models needs list, add <file> or remove <id>, not "install"/);
  });
});
