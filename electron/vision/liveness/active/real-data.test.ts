// The active challenge on real data through the real detector and FaceMesh: a real head turn from Intel's
// head-pose GIF (../shared/data/video) and a planar photo attack rendered from one of its frames.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { OnnxBackend } from '../../backend/onnx-backend.js';
import { createSeededRandom } from '../../matcher/seeded-random.js';
import { loadManifest, resolveModel } from '../../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../models/paths.js';
import { FacePipeline } from '../../pipeline/face-pipeline.js';
import { randomPlaneMotion, readAnimationFrames, renderPlanarSequence, trackFaces } from '../bench/sequences.js';
import { ActiveChallenge, type ChallengeAction, type ChallengeState } from './challenge.js';
import { yawDegOf } from './head-turn.js';
import type { MeshObservation } from './mesh-observation.js';
import { assessPlanarity } from './planarity.js';

const GIF = join(packageRoot(), '..', 'shared', 'data', 'video', 'intel_head-pose-face-detection-female.gif');

function run(observations: readonly MeshObservation[], action: ChallengeAction): ChallengeState {
  const challenge = new ActiveChallenge({ action, startedAtMs: observations[0]!.timestampMs });
  let state = challenge.state;
  for (const o of observations) state = challenge.push(o);
  return state.status === 'waiting' ? challenge.tick(observations[0]!.timestampMs + challenge.timeoutMs + 1) : state;
}

describe('active challenge on real frames', () => {
  let pipeline: FacePipeline | undefined;
  let missing = '';
  let track: MeshObservation[] = [];

  before(async () => {
    const manifest = await loadManifest(defaultManifestPath());
    const { defaults } = manifest.manifest;
    const absent = [defaults.detector, defaults.fitter].map((id) => resolveModel(manifest, id).onnxPath).filter((path) => !existsSync(path));
    if (absent.length > 0) missing = `converted models missing (${absent.join(', ')}): run \`npm run models\``;
    else if (!existsSync(GIF)) missing = `head-pose GIF missing at ${GIF}`;
    if (missing) return;
    pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend() });
    const tracking = await trackFaces(pipeline, await readAnimationFrames(GIF));
    track = tracking.tracks[0]?.observations ?? [];
  });
  after(async () => pipeline?.close());

  const ready = (t: TestContext): boolean => {
    if (!pipeline) t.skip(missing);
    return pipeline !== undefined;
  };

  it('passes the real turn toward the person\'s left (her face goes from the image\'s left to its right) and refuses it as a right turn', (t) => {
    if (!ready(t)) return;
    assert.equal(track.length, 23, 'the face is found in every frame');
    const yaws = track.map(yawDegOf);
    // Frames 2 → 13 turn from about −45° (facing the image's left) to about +30°.
    assert.ok(yaws[2]! < -35 && yaws[13]! > 20, `yaws ${yaws.map((y) => y.toFixed(0)).join(' ')}`);
    const left = run(track.slice(2), { kind: 'turn', direction: 'left', minTurnDeg: 15 });
    assert.equal(left.status, 'passed', JSON.stringify(left));
    if (left.status === 'passed' && left.evidence.kind === 'turn') {
      assert.ok(left.durationMs < 1000, `${left.durationMs} ms`);
      assert.ok(left.evidence.planarity.residualIod > 0.05, `residual ${left.evidence.planarity.residualIod}`);
    }
    const wrong = run(track.slice(2), { kind: 'turn', direction: 'right', minTurnDeg: 15 });
    assert.equal(wrong.status === 'failed' && wrong.cue, 'wrong-direction');
    const back = run(track.slice(13), { kind: 'turn', direction: 'right', minTurnDeg: 15 });
    assert.equal(back.status, 'passed', JSON.stringify(back));
  });

  it('refuses a photo of her face tilted as a plane to fake the turn', async (t) => {
    if (!ready(t)) return;
    const clip = await readAnimationFrames(GIF);
    // Frame 9 is her most frontal pose; the whole frame is the "print".
    const random = createSeededRandom(4);
    const attack = renderPlanarSequence([clip.frames[9]!], randomPlaneMotion(random, 1), { frames: 30, frameMs: 100, random, fill: 1.6 });
    const tracking = await trackFaces(pipeline!, attack);
    assert.ok(tracking.framesWithFace >= 27, `face found in ${tracking.framesWithFace}/30 frames`);
    const observations = tracking.tracks[0]!.observations;
    const state = run(observations, { kind: 'turn', direction: 'left', minTurnDeg: 15 });
    assert.equal(state.status, 'failed', JSON.stringify(state));
    // Forced without a minimum turn, the planarity test alone also calls it planar.
    const verdict = assessPlanarity(observations, { minYawSpanDeg: 0 });
    assert.equal(verdict.planar, true, JSON.stringify(verdict));
  });
});
