/**
 * Small deterministic PRNG for benchmarks and tests (mulberry32): same seed, same sequence, on every machine.
 * Not for anything security-related.
 */

/** A function returning uniform floats in [0, 1), reproducible from a 32-bit `seed`. */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The indexes 0..count−1 in a random order (Fisher–Yates), reproducible from `seed`. */
export function shuffledIndices(count: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** A random unit-length vector of `dimension` floats (Gaussian components via Box–Muller, so directions are uniform). */
export function randomUnitVector(random: () => number, dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  let sum = 0;
  for (let i = 0; i < dimension; i++) {
    // 1 - random() lies in (0, 1], so the log is finite.
    const g = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    v[i] = g;
    sum += g * g;
  }
  const norm = Math.sqrt(sum);
  for (let i = 0; i < dimension; i++) v[i] = v[i]! / norm;
  return v;
}
