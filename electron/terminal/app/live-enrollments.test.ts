// One live enrollment at a time, visibly: a second admin is told who holds the camera and since when, may take it
// over (the first is told), and a capture that sees nobody stops by itself instead of waiting forever.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { createRgbImage } from '../../vision/frame/rgb-image.js';
import { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import { CameraBase, rgbCameraFrame } from '../camera/camera.js';
import type { FrameProcessor } from '../enrollment/live-enrollment.js';
import { LiveEnrollments, type EnrollmentEnded } from './live-enrollments.js';

/** A live camera showing an empty corridor: a frame every 20 ms, never a face. */
class CorridorCamera extends CameraBase {
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  constructor() {
    super('test:corridor');
  }
  protected async open(): Promise<void> {
    this.events.setState({ status: 'live', fps: 50 });
    this.timer = setInterval(() => this.events.emitFrame(rgbCameraFrame(this.seq++, Date.now(), createRgbImage(4, 4))), 20);
  }
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    this.events.setState({ status: 'stopped' });
  }
}

const nobody: FrameProcessor = {
  analyse: async () => ({ faces: [] }),
  extract: async () => assert.fail('no face to extract'),
};

describe('live enrollments', () => {
  const camera = new CorridorCamera();
  const context = { camera, processor: nobody, matcher: new FaceMatcher('model-a', 4, { verifySimilarity: 0.9, identifySimilarity: 0.95 }), persons: { get: () => undefined } };
  let sessions: LiveEnrollments | undefined;
  afterEach(async () => {
    sessions?.endAll();
    await camera.stop();
  });

  it("a second admin hears who holds the camera and since when; taking over ends the first's capture and tells them", async () => {
    await camera.start();
    const ended: EnrollmentEnded[] = [];
    const paused: boolean[] = [];
    sessions = new LiveEnrollments(() => undefined, (active) => paused.push(active), (end) => ended.push(end), 60_000);
    const first = sessions.start(context, 3, 'ann');
    assert.equal(sessions.holder?.username, 'ann');

    assert.throws(() => sessions?.start(context, 3, 'bob'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'conflict');
      assert.match(error.message, /^ann has been enrolling at the camera since \d\d:\d\d; take over to end their capture$/);
      return true;
    });
    assert.equal(sessions.holder?.username, 'ann');

    const second = sessions.start(context, 3, 'bob', true);
    assert.equal(sessions.holder?.username, 'bob');
    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.sessionId, first.sessionId);
    assert.equal(ended[0]?.reason, 'taken-over');
    assert.equal(ended[0]?.byUsername, 'bob');
    assert.match(ended[0]?.message ?? '', /^bob took over the camera at \d\d:\d\d: this capture has ended/);
    await assert.rejects(sessions.take(first.sessionId), /no enrollment session/);

    // The same admin starting again (a reloaded page) replaces their own capture without asking.
    sessions.start(context, 3, 'bob');
    assert.equal(ended.at(-1)?.sessionId, second.sessionId);
    assert.equal(paused.at(-1), true);
  });

  it('a capture that sees nobody stops with words, and the door runs again', async () => {
    await camera.start();
    const ended: EnrollmentEnded[] = [];
    const paused: boolean[] = [];
    sessions = new LiveEnrollments(() => undefined, (active) => paused.push(active), (end) => ended.push(end), 1000);
    const { sessionId } = sessions.start(context, 3, 'ann');
    const deadline = Date.now() + 5000;
    while (ended.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ended[0]?.sessionId, sessionId);
    assert.equal(ended[0]?.reason, 'no-face');
    assert.match(ended[0]?.message ?? '', /^Nobody was seen at the camera for 1 s, so the capture stopped and the door runs again/);
    assert.equal(sessions.holder, null);
    assert.equal(paused.at(-1), false);
  });
});
