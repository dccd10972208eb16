// The site's trained passive cue in the door's decision, on real frames through the real detector, FaceMesh and
// MiniFASNet: a cue trained at test time on Replay-Attack train (research use, ../shared/data/pad: it never
// leaves the temporary folder) is installed, then played the devel clips of one person: her face before the
// webcam, and a fixed print of it that MiniFASNetV2 passes. The match is given: what is tested is the cue's
// training, installation and use by the policy, not identification.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { OnnxBackend } from '../../vision/backend/onnx-backend.js';
import { decodeImageFile } from '../../vision/frame/decode.js';
import { boxToPx } from '../../vision/geometry/point.js';
import { frameMeasuresOf, PadFrameMeasures, type PadFrameMeasure } from '../../vision/liveness/pad-frame-measures.js';
import type { SitePadCue } from '../../vision/liveness/pad-linear.js';
import { readPadProtocol } from '../../vision/liveness/pad-protocol.js';
import { DEFAULT_SITE_PAD_FEATURES, measureClips, trainSitePadCue } from '../../vision/liveness/pad-train.js';
import { resolveModel } from '../../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { FacePipeline, type AnalysedFace } from '../../vision/pipeline/face-pipeline.js';
import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { AddedModels } from '../models/added-models.js';
import { installSitePadCue, readSitePadCue, sitePadCuePath } from '../models/site-pad-cue.js';
import { DecisionPolicy, type AccessDecision } from './decision-policy.js';
import { CLIENT_3, FRAME_GAP_MS, GENUINE_CLIP, PRINT_CLIP, REPLAY_ATTACK_DIR } from './test/client3-clips.js';

const MINIFASNET = join(packageRoot(), '..', 'shared', 'models', 'minifasnet');
/** Another person's genuine devel clip in poor light, whose first frames MiniFASNetV2 scores under its 0.8. */
const DIM_GENUINE_CLIP = 'devel__real__real__client118_session01_webcam_authenticate_adverse_2';

const person = CLIENT_3;

interface ClipFrame {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly face: AnalysedFace;
  readonly values: Partial<Record<PadFrameMeasure, number>>;
}

describe('the door refuses what the site-trained cue judges an attack (real frames)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lintel-trained-cue-'));
  let cue: SitePadCue | undefined;
  let clips: Record<string, ClipFrame[]> | undefined;
  let missing = '';

  before(async () => {
    const modelFiles = ['MiniFASNetV2.onnx', 'MiniFASNetV1SE.onnx'].map((name) => join(MINIFASNET, name));
    if (!modelFiles.every((file) => existsSync(file))) missing = `MiniFASNet copies missing under ${MINIFASNET}`;
    else if (!existsSync(join(REPLAY_ATTACK_DIR, 'clips.csv')) || !existsSync(join(REPLAY_ATTACK_DIR, 'devel', PRINT_CLIP))) missing = `Replay-Attack frames missing under ${REPLAY_ATTACK_DIR}`;
    if (missing) return;
    const added = await AddedModels.open({ manifestPath: defaultManifestPath(), dataDir });
    for (const file of modelFiles) await added.add(readFileSync(file), file);
    const manifest = added.manifest;
    const { defaults } = manifest.manifest;
    const absent = [defaults.detector, defaults.fitter].map((id) => resolveModel(manifest, id).onnxPath).filter((path) => !existsSync(path));
    if (absent.length > 0) {
      missing = `converted models missing (${absent.join(', ')}): run \`npm run models\``;
      return;
    }
    const backend = new OnnxBackend();
    const pipeline = await FacePipeline.create({ manifest, backend });
    const measures = await PadFrameMeasures.create({ manifest, backend, measures: frameMeasuresOf(DEFAULT_SITE_PAD_FEATURES) });
    try {
      // Train: the whole train split (360 clips, 1,800 frames; about 40 s on the 2-core machine). Half of its
      // attacks are not enough: that cue passes this print.
      const train = await readPadProtocol(join(REPLAY_ATTACK_DIR, 'clips.csv'), REPLAY_ATTACK_DIR, 'train');
      const measured = await measureClips(train, DEFAULT_SITE_PAD_FEATURES, { pipeline, measures });
      const file = join(dataDir, 'trained.json');
      writeFileSync(file, JSON.stringify(trainSitePadCue(measured.rows, DEFAULT_SITE_PAD_FEATURES, { framesWithoutFace: measured.framesWithoutFace })));
      await installSitePadCue(file, dataDir, manifest);
      cue = await readSitePadCue(sitePadCuePath(dataDir), manifest);
      clips = {};
      for (const clip of [GENUINE_CLIP, PRINT_CLIP, DIM_GENUINE_CLIP]) {
        const [protocolClip] = (await readPadProtocol(join(REPLAY_ATTACK_DIR, 'clips.csv'), REPLAY_ATTACK_DIR, 'devel')).filter((candidate) => candidate.clip === clip);
        const frames: ClipFrame[] = [];
        for (const framePath of protocolClip!.framePaths) {
          const image = await decodeImageFile(framePath);
          const { faces, widthPx, heightPx } = await pipeline.analyse(image);
          assert.ok(faces[0], `a face in ${framePath}`);
          const { values } = await measures.measure(image, boxToPx(faces[0].boxNorm, widthPx, heightPx));
          frames.push({ widthPx, heightPx, face: faces[0], values });
        }
        clips[clip] = frames;
      }
    } finally {
      await measures.close();
      await pipeline.close();
    }
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const ready = (t: TestContext): boolean => {
    if (!clips) t.skip(missing);
    return clips !== undefined;
  };

  /** Plays a clip to a policy (with or without the installed cue) and returns its decision with the frame it came on. */
  function decide(clip: string, withCue: boolean, mode: 'passive' | 'active' | 'passive+active' = 'passive'): { decision: AccessDecision; index: number } | undefined {
    // 320 × 240 frames: faces have ~35 px between the eyes, under the door's default 40.
    const settings = decisionSettingsSchema.parse({ minInterOcularPx: 20, minSharpness: 0, liveness: { mode } });
    const policy = new DecisionPolicy(settings, () => person, {
      passiveAvailable: true,
      passiveMinScore: 0.8,
      ...(withCue && cue ? { trainedCue: { model: cue, windowMs: 2400, frames: 5 } } : {}),
    });
    for (const [index, { face, widthPx, heightPx, values }] of clips![clip]!.entries()) {
      const timestampMs = index * FRAME_GAP_MS;
      const decision = policy.observe({
        trackId: 1,
        timestampMs,
        quality: face.quality,
        match: { personId: person.id, similarity: 0.8 },
        // The passive check's own score: MiniFASNetV2 on this frame.
        liveness: values['minifasnet-v2']!,
        mesh: { timestampMs, meshNorm: face.meshNorm, widthPx, heightPx },
        padValues: values,
      });
      if (decision) return { decision, index };
    }
    return undefined;
  }

  it('trains with its threshold from out-of-fold scores and installs it checked', (t) => {
    if (!ready(t)) return;
    assert.ok(cue);
    assert.deepEqual(cue.features, DEFAULT_SITE_PAD_FEATURES);
    assert.equal(cue.provenance.clips['bona-fide'], 60);
    assert.equal(Object.values(cue.provenance.clips).reduce((sum, count) => sum + count, 0), 360);
    assert.ok(cue.provenance.outOfFold.bpcer <= 0.05, `out-of-fold BPCER ${cue.provenance.outOfFold.bpcer}`);
  });

  it('refuses the print MiniFASNetV2 passes with the cue `trained`, and lets the live face in', (t) => {
    if (!ready(t)) return;
    const v2 = clips![PRINT_CLIP]!.map((frame) => frame.values['minifasnet-v2']!);
    assert.ok(Math.min(...v2.slice(0, 3)) >= 0.8, `MiniFASNetV2 passes the print: ${v2.map((v) => v.toFixed(3)).join(', ')}`);
    const withoutCue = decide(PRINT_CLIP, false);
    assert.equal(withoutCue?.decision.reason, 'granted', 'without the cue the passive check lets the print in');
    const print = decide(PRINT_CLIP, true);
    assert.equal(print?.decision.reason, 'liveness-failed', JSON.stringify(print?.decision));
    assert.equal(print.decision.livenessCue, 'trained');
    // No motion features: it decides on the frames seen when the identity agrees (three), without a window.
    assert.equal(print.index, 2);
    const genuine = decide(GENUINE_CLIP, true);
    assert.equal(genuine?.decision.reason, 'granted', JSON.stringify(genuine?.decision));
    assert.equal(genuine.index, 2);
  });

  it('where it judges a face it stands in for the passive model’s threshold: a genuine face in poor light is let in', (t) => {
    if (!ready(t)) return;
    const v2 = clips![DIM_GENUINE_CLIP]!.map((frame) => frame.values['minifasnet-v2']!);
    const firstThree = v2.slice(0, 3).reduce((sum, v) => sum + v, 0) / 3;
    assert.ok(firstThree < 0.8, `MiniFASNetV2 refuses it: ${v2.map((v) => v.toFixed(3)).join(', ')}`);
    assert.equal(decide(DIM_GENUINE_CLIP, false)?.decision.livenessCue, 'passive', 'without the cue the passive threshold refuses her');
    const withCue = decide(DIM_GENUINE_CLIP, true);
    assert.equal(withCue?.decision.reason, 'granted', JSON.stringify(withCue?.decision));
  });

  it('only refuses: the challenge still runs for the live face; without the passive check the cue does not run', (t) => {
    if (!ready(t)) return;
    assert.equal(decide(GENUINE_CLIP, true, 'passive+active')?.decision.pendingChallenge, true);
    assert.equal(decide(PRINT_CLIP, true, 'passive+active')?.decision.livenessCue, 'trained');
    assert.equal(decide(PRINT_CLIP, true, 'active')?.decision.pendingChallenge, true, 'the challenge alone decides');
  });
});
