import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createRgbImage, type RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';
import { measureDeviceEdges } from './device-edges.js';
import { measureGlare } from './glare.js';
import { measureMoire } from './moire.js';

const FACE: BoxPx = { x: 120, y: 60, width: 80, height: 100 };

/** A deterministic pseudo-random sequence in 0..1 (mulberry32), so the synthetic scenes are the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 320×240 scene: a softly lit, slightly noisy background and a skin-toned elliptical face in FACE with smooth
 * shading; `extra` paints over it.
 */
function scene(extra?: (set: (x: number, y: number, rgb: readonly [number, number, number]) => void, image: RgbImage) => void): RgbImage {
  const image = createRgbImage(320, 240);
  const next = random(7);
  const set = (x: number, y: number, rgb: readonly [number, number, number]): void => {
    if (x < 0 || y < 0 || x >= 320 || y >= 240) return;
    image.data.set(rgb.map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * 320 + x) * 3);
  };
  for (let y = 0; y < 240; y++) {
    for (let x = 0; x < 320; x++) {
      const noise = (next() - 0.5) * 6;
      const cx = (x + 0.5 - (FACE.x + FACE.width / 2)) / (FACE.width / 2);
      const cy = (y + 0.5 - (FACE.y + FACE.height / 2)) / (FACE.height / 2);
      const r = cx * cx + cy * cy;
      if (r < 1) {
        const shade = 1 - 0.25 * r;
        set(x, y, [200 * shade + noise, 160 * shade + noise, 140 * shade + noise]);
      } else {
        const light = 110 + x * 0.1 + y * 0.05 + noise;
        set(x, y, [light, light, light + 5]);
      }
    }
  }
  extra?.(set, image);
  return image;
}

describe('device edges', () => {
  it('finds the border of a phone held around the face (long straight lines in the ring)', () => {
    const held = scene((set) => {
      // A dark bezel 4 px wide from (70, 10) to (250, 230), around the face.
      for (let y = 10; y < 230; y++) for (let x = 70; x < 250; x++) {
        const inBezel = x < 74 || x >= 246 || y < 14 || y >= 226;
        if (inBezel) set(x, y, [25, 25, 28]);
      }
    });
    const { longestLineRatio } = measureDeviceEdges(held, FACE);
    assert.ok(longestLineRatio > 1.2, `bezel: ${longestLineRatio}`);
  });

  it('finds nothing long around a face before a plain background', () => {
    const { longestLineRatio } = measureDeviceEdges(scene(), FACE);
    assert.ok(longestLineRatio < 0.3, `plain: ${longestLineRatio}`);
  });
});

describe('glare', () => {
  it('finds a specular blob on a screen or glossy print', () => {
    const shiny = scene((set) => {
      for (let y = -14; y <= 14; y++) for (let x = -14; x <= 14; x++) if (x * x + y * y <= 196) set(150 + x, 90 + y, [255, 255, 252]);
    });
    const glare = measureGlare(shiny, FACE);
    assert.ok(glare.largestBlobFraction > 0.05, `blob ${glare.largestBlobFraction}`);
    assert.ok(glare.highlightFraction > 0.02);
  });

  it('finds none on a matte face', () => {
    const glare = measureGlare(scene(), FACE);
    assert.equal(glare.largestBlobFraction, 0);
    assert.equal(glare.highlightFraction, 0);
  });
});

describe('moiré', () => {
  it('finds an isolated spectral peak where a screen adds interference stripes to the face', () => {
    const striped = scene((set, image) => {
      for (let y = FACE.y; y < FACE.y + FACE.height; y++) {
        for (let x = FACE.x; x < FACE.x + FACE.width; x++) {
          const i = (y * 320 + x) * 3;
          const stripe = 25 * Math.sin((2 * Math.PI * (x + 0.6 * y)) / 4.5);
          set(x, y, [image.data[i]! + stripe, image.data[i + 1]! + stripe, image.data[i + 2]! + stripe]);
        }
      }
    });
    const clean = measureMoire(scene(), FACE);
    const moire = measureMoire(striped, FACE);
    assert.ok(moire.peakToMedian > 20 * clean.peakToMedian, `striped ${moire.peakToMedian} vs clean ${clean.peakToMedian}`);
    assert.ok(moire.highFrequencyRatio > clean.highFrequencyRatio);
  });
});
