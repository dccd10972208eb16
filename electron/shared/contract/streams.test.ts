import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { NewestByKind, parseStreamMessage, STREAM_KINDS, type StreamMessage } from './streams.js';

const NOW = 1_750_000_000_000;
const frame = (seq: number): StreamMessage => ({ kind: 'frame', seq, timestampMs: NOW + seq, widthPx: 640, heightPx: 480, jpegBase64: '/9j/4AAQ' });
const analysis = (seq: number): StreamMessage => ({
  kind: 'analysis',
  seq,
  timestampMs: NOW + seq,
  frameSeq: seq,
  readyAtMs: NOW + seq + 40,
  widthPx: 640,
  heightPx: 480,
  faces: [
    {
      trackId: 3,
      boxNorm: { x: 0.4, y: 0.3, width: 0.2, height: 0.3 },
      fivePointsNorm: [
        { x: 0.45, y: 0.4 },
        { x: 0.55, y: 0.4 },
        { x: 0.5, y: 0.45 },
        { x: 0.46, y: 0.52 },
        { x: 0.54, y: 0.52 },
      ],
      match: { personId: '0b6f3a52-5d3c-4c1e-9a57-3f1c2b7e8d90', name: 'Ann Lee', similarity: 0.71 },
      qualityHint: null,
    },
  ],
});

describe('stream messages', () => {
  test('every kind is listed', () => {
    assert.deepEqual([...STREAM_KINDS].sort(), ['analysis', 'card', 'challenge', 'decision', 'enrollment-ended', 'enrollment-feedback', 'frame', 'health', 'panel']);
  });

  test("a challenge prompt parses; a direction or a progress the door cannot draw is dropped", () => {
    const prompt = { trackId: 3, attempt: 1, maxAttempts: 3, status: 'waiting', action: { kind: 'turn', direction: 'left', minTurnDeg: 17 }, progress: 0.4, remainingMs: 2600, timeoutMs: 4000 };
    const message = { kind: 'challenge', seq: 1, timestampMs: NOW, trackId: 3, prompt };
    assert.deepEqual(parseStreamMessage(message), message);
    assert.deepEqual(parseStreamMessage({ ...message, prompt: null }), { ...message, prompt: null });
    assert.equal(parseStreamMessage({ ...message, prompt: { ...prompt, action: { kind: 'turn', direction: 'up', minTurnDeg: 17 } } }), undefined);
    assert.equal(parseStreamMessage({ ...message, prompt: { ...prompt, progress: 1.5 } }), undefined);
    assert.equal(parseStreamMessage({ ...message, prompt: { ...prompt, status: 'failed', cue: 'held-a-photo' } }), undefined);
  });

  test('valid messages parse; malformed ones are dropped (undefined)', () => {
    assert.deepEqual(parseStreamMessage(frame(1)), frame(1));
    assert.deepEqual(parseStreamMessage(analysis(1)), analysis(1));
    assert.equal(parseStreamMessage({ ...frame(1), seq: -1 }), undefined);
    assert.equal(parseStreamMessage({ ...frame(1), jpegBase64: 'not base64!' }), undefined);
    assert.equal(parseStreamMessage({ kind: 'detections', seq: 1, timestampMs: NOW }), undefined);
    const fourPoints = analysis(1) as Extract<StreamMessage, { kind: 'analysis' }>;
    const face = fourPoints.faces[0];
    assert.ok(face);
    assert.equal(parseStreamMessage({ ...fourPoints, faces: [{ ...face, fivePointsNorm: face.fivePointsNorm.slice(0, 4) }] }), undefined);
  });
});

describe('NewestByKind', () => {
  test('keeps only the newest unread message of each kind', () => {
    const buffer = new NewestByKind();
    for (let seq = 1; seq <= 5; seq++) buffer.offer(frame(seq));
    buffer.offer(analysis(2));
    assert.equal(buffer.take('frame')?.seq, 5);
    assert.equal(buffer.take('frame'), undefined, 'taken once');
    assert.equal(buffer.take('analysis')?.frameSeq, 2);
    assert.equal(buffer.dropped, 4, 'frames 1–4 were replaced unread');
  });

  test('drops stale and repeated messages, even after the newer one was taken', () => {
    const buffer = new NewestByKind();
    assert.equal(buffer.offer(frame(7)), true);
    assert.equal(buffer.take('frame')?.seq, 7);
    assert.equal(buffer.offer(frame(6)), false);
    assert.equal(buffer.offer(frame(7)), false);
    assert.equal(buffer.take('frame'), undefined);
    assert.equal(buffer.offer(frame(8)), true);
  });

  test('kinds are independent: one seq per kind', () => {
    const buffer = new NewestByKind();
    buffer.offer(frame(100));
    assert.equal(buffer.offer(analysis(1)), true);
    assert.deepEqual(buffer.takeAll().map((message) => message.kind).sort(), ['analysis', 'frame']);
    assert.deepEqual(buffer.takeAll(), []);
  });
});
