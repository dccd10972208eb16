// The natural-motion cue in the door's decision, on real frames through the real detector and FaceMesh: the
// Replay-Attack devel clips of one person (research use, ../shared/data/pad), her face sitting before the
// webcam and a fixed print of it that MiniFASNetV2 passes (0.97). The match and the passive score are given:
// what is tested is the policy's use of the landmarks, not identification.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';

import { OnnxBackend } from '../../vision/backend/onnx-backend.js';
import { decodeImageFile } from '../../vision/frame/decode.js';
import { loadManifest, resolveModel } from '../../vision/models/manifest.js';
import { defaultManifestPath } from '../../vision/models/paths.js';
import { FacePipeline, type AnalysedFace } from '../../vision/pipeline/face-pipeline.js';
import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { DecisionPolicy, type AccessDecision, type LivenessCapabilities } from './decision-policy.js';
import { CLIENT_3, FRAME_GAP_MS, GENUINE_CLIP, PRINT_CLIP, REPLAY_ATTACK_DIR } from './test/client3-clips.js';

const DEVEL = join(REPLAY_ATTACK_DIR, 'devel');

const person = CLIENT_3;

interface ClipFrame {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly face: AnalysedFace;
}

describe('the door refuses a face as still as a photo (natural motion, real frames)', () => {
  let clips: Record<string, ClipFrame[]> | undefined;
  let missing = '';
  let manifestMotion: LivenessCapabilities['naturalMotion'];

  before(async () => {
    const manifest = await loadManifest(defaultManifestPath());
    manifestMotion = manifest.manifest.defaults.passiveLiveness?.naturalMotion;
    const { defaults } = manifest.manifest;
    const absent = [defaults.detector, defaults.fitter].map((id) => resolveModel(manifest, id).onnxPath).filter((path) => !existsSync(path));
    if (absent.length > 0) missing = `converted models missing (${absent.join(', ')}): run \`npm run models\``;
    else if (!existsSync(join(DEVEL, GENUINE_CLIP)) || !existsSync(join(DEVEL, PRINT_CLIP))) missing = `Replay-Attack devel frames missing under ${DEVEL}`;
    if (missing) return;
    const pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend() });
    try {
      clips = {};
      for (const clip of [GENUINE_CLIP, PRINT_CLIP]) {
        const frames: ClipFrame[] = [];
        for (const file of readdirSync(join(DEVEL, clip)).sort()) {
          const image = await decodeImageFile(join(DEVEL, clip, file));
          const { faces, widthPx, heightPx } = await pipeline.analyse(image);
          assert.ok(faces[0], `a face in ${clip}/${file}`);
          frames.push({ widthPx, heightPx, face: faces[0] });
        }
        clips[clip] = frames;
      }
    } finally {
      await pipeline.close();
    }
  });
  const ready = (t: TestContext): boolean => {
    if (!clips) t.skip(missing);
    return clips !== undefined;
  };

  /** Plays a clip to a policy (the cue as set) and returns its decision with the frame it came on. */
  function decide(clip: string, naturalMotion: boolean, mode: 'passive' | 'active' | 'passive+active' = 'passive'): { decision: AccessDecision; index: number } | undefined {
    // 320 × 240 frames: faces have ~35 px between the eyes, under the door's default 40.
    const settings = decisionSettingsSchema.parse({ minInterOcularPx: 20, minSharpness: 0, liveness: { mode, naturalMotion } });
    const policy = new DecisionPolicy(settings, () => person, { passiveAvailable: true, passiveMinScore: 0.8, ...(manifestMotion ? { naturalMotion: manifestMotion } : {}) });
    for (const [index, { face, widthPx, heightPx }] of clips![clip]!.entries()) {
      const timestampMs = index * FRAME_GAP_MS;
      const decision = policy.observe({
        trackId: 1,
        timestampMs,
        quality: face.quality,
        match: { personId: person.id, similarity: 0.8 },
        liveness: 0.97,
        mesh: { timestampMs, meshNorm: face.meshNorm, widthPx, heightPx },
      });
      if (decision) return { decision, index };
    }
    return undefined;
  }

  it('the manifest ships the cue with its window', () => {
    assert.ok(manifestMotion, 'defaults.passiveLiveness.naturalMotion');
    assert.equal(manifestMotion.windowMs, 2400);
  });

  it('lets the live face in once the window is full, and refuses the print with the cue `motion`', (t) => {
    if (!ready(t)) return;
    const genuine = decide(GENUINE_CLIP, true);
    assert.equal(genuine?.decision.reason, 'granted', JSON.stringify(genuine?.decision));
    // Three agreeing frames would decide at frame 2 (1.6 s); the cue waits for 2.4 s of frames.
    assert.equal(genuine.index, 3);
    const print = decide(PRINT_CLIP, true);
    assert.equal(print?.decision.reason, 'liveness-failed');
    assert.equal(print.decision.livenessCue, 'motion');
    assert.equal(print.index, 3);
  });

  it('with the challenge, the cue refuses the print before any challenge and holds the live face for the challenge; the challenge alone does not wait', (t) => {
    if (!ready(t)) return;
    const genuine = decide(GENUINE_CLIP, true, 'passive+active');
    assert.equal(genuine?.decision.pendingChallenge, true);
    assert.equal(genuine.index, 3);
    assert.equal(decide(PRINT_CLIP, true, 'passive+active')?.decision.livenessCue, 'motion');
    const active = decide(PRINT_CLIP, true, 'active');
    assert.equal(active?.decision.pendingChallenge, true, 'without the passive check the cue does not run: the challenge decides');
    assert.equal(active.index, 2);
  });

  it('with the cue off (the default), the same print passes the passive check at frame 2: the cue is what refused it', (t) => {
    if (!ready(t)) return;
    assert.equal(decisionSettingsSchema.parse({}).liveness.naturalMotion, false);
    const print = decide(PRINT_CLIP, false);
    assert.equal(print?.decision.reason, 'granted');
    assert.equal(print.index, 2);
  });
});
