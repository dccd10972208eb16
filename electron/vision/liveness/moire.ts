import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';

/** Options of {@link measureMoire}; every field has a default. */
export interface MoireOptions {
  /** Side of the square patch analysed, px (a power of two); default 64. */
  readonly patchSizePx?: number;
  /** The patch covers the face box's central square of this fraction of its smaller side; default 0.8. */
  readonly faceFraction?: number;
}

/** What {@link measureMoire} found. */
export interface MoireMeasure {
  /** Energy at radii ≥ a quarter of the sampling rate over energy at radii ≥ 2 cycles per patch, 0..1. */
  readonly highFrequencyRatio: number;
  /** Strongest spectral peak at radii ≥ 6 cycles over the median power there: moiré shows as isolated peaks. */
  readonly peakToMedian: number;
}

/** In-place radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let length = 2; length <= n; length <<= 1) {
    const angle = (-2 * Math.PI) / length;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let start = 0; start < n; start += length) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < length / 2; k++) {
        const a = start + k;
        const b = a + length / 2;
        const tRe = re[b]! * curRe - im[b]! * curIm;
        const tIm = re[b]! * curIm + im[b]! * curRe;
        re[b] = re[a]! - tRe;
        im[b] = im[a]! - tIm;
        re[a] = re[a]! + tRe;
        im[a] = im[a]! + tIm;
        const nextRe = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = nextRe;
      }
    }
  }
}

/**
 * The power spectrum (size × size, DC at [0]) of a windowed grey square patch: FFT of the rows, then of the columns.
 */
export function powerSpectrum(patch: Float64Array, size: number): Float64Array {
  const re = new Float64Array(size * size);
  const im = new Float64Array(size * size);
  let mean = 0;
  for (const value of patch) mean += value;
  mean /= patch.length;
  for (let y = 0; y < size; y++) {
    const wy = 0.5 - 0.5 * Math.cos((2 * Math.PI * (y + 0.5)) / size);
    for (let x = 0; x < size; x++) {
      const wx = 0.5 - 0.5 * Math.cos((2 * Math.PI * (x + 0.5)) / size);
      re[y * size + x] = (patch[y * size + x]! - mean) * wx * wy;
    }
  }
  const rowRe = new Float64Array(size);
  const rowIm = new Float64Array(size);
  for (let pass = 0; pass < 2; pass++) {
    for (let line = 0; line < size; line++) {
      for (let k = 0; k < size; k++) {
        const i = pass === 0 ? line * size + k : k * size + line;
        rowRe[k] = re[i]!;
        rowIm[k] = im[i]!;
      }
      fft(rowRe, rowIm);
      for (let k = 0; k < size; k++) {
        const i = pass === 0 ? line * size + k : k * size + line;
        re[i] = rowRe[k]!;
        im[i] = rowIm[k]!;
      }
    }
  }
  const power = new Float64Array(size * size);
  for (let i = 0; i < power.length; i++) power[i] = re[i]! * re[i]! + im[i]! * im[i]!;
  return power;
}

/**
 * Moiré and screen texture on a face: a screen filmed by a camera shows interference stripes, isolated peaks in
 * the spectrum of the face; a print shows less fine detail than skin. The central square of the face box,
 * resampled bilinearly to patchSizePx, windowed (Hann) → 2-D FFT → two measures of its spectrum.
 */
export function measureMoire(image: RgbImage, faceBoxPx: BoxPx, options: MoireOptions = {}): MoireMeasure {
  const { patchSizePx: size = 64, faceFraction = 0.8 } = options;
  if (!Number.isInteger(Math.log2(size))) throw new RangeError(`measureMoire: patchSizePx must be a power of two, got ${size}`);
  const sidePx = Math.min(faceBoxPx.width, faceBoxPx.height) * faceFraction;
  const left = faceBoxPx.x + faceBoxPx.width / 2 - sidePx / 2;
  const top = faceBoxPx.y + faceBoxPx.height / 2 - sidePx / 2;
  const step = sidePx / size;
  const patch = new Float64Array(size * size);
  const { widthPx, heightPx, data } = image;
  const luma = (x: number, y: number): number => {
    const cx = Math.min(widthPx - 1, Math.max(0, x));
    const cy = Math.min(heightPx - 1, Math.max(0, y));
    const s = (cy * widthPx + cx) * 3;
    return 0.299 * data[s]! + 0.587 * data[s + 1]! + 0.114 * data[s + 2]!;
  };
  for (let y = 0; y < size; y++) {
    const sy = top + (y + 0.5) * step - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = left + (x + 0.5) * step - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const topRow = luma(x0, y0) * (1 - fx) + luma(x0 + 1, y0) * fx;
      const bottomRow = luma(x0, y0 + 1) * (1 - fx) + luma(x0 + 1, y0 + 1) * fx;
      patch[y * size + x] = topRow * (1 - fy) + bottomRow * fy;
    }
  }
  const power = powerSpectrum(patch, size);
  let high = 0;
  let total = 0;
  const band: number[] = [];
  for (let v = 0; v < size; v++) {
    const fv = v <= size / 2 ? v : v - size;
    for (let u = 0; u < size; u++) {
      const fu = u <= size / 2 ? u : u - size;
      const radius = Math.hypot(fu, fv);
      const p = power[v * size + u]!;
      if (radius >= 2) total += p;
      if (radius >= size / 4) high += p;
      if (radius >= 6) band.push(p);
    }
  }
  band.sort((a, b) => a - b);
  const medianPower = band[Math.floor(band.length / 2)] ?? 0;
  return {
    highFrequencyRatio: total > 0 ? high / total : 0,
    peakToMedian: medianPower > 0 ? band[band.length - 1]! / medianPower : 0,
  };
}
