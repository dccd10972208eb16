// The tones a door screen plays, as data: no WebAudio here, so the rules are tested under Node.

/** A panel's buzzer pattern: on for `onMs`, off for `offMs`, `count` times (0: once, long). */
export interface BuzzPattern {
  readonly onMs: number;
  readonly offMs: number;
  readonly count: number;
}

/** Longest buzz played, however long the panel asks for (a door screen must not drone on). */
const MAX_BUZZ_S = 3;

export interface Tone {
  readonly frequencyHz: number;
  readonly startS: number;
  readonly durationS: number;
  /** WebAudio's OscillatorType, spelled out so this file needs no DOM types (its test runs under Node). */
  readonly type: 'sine' | 'square' | 'sawtooth' | 'triangle';
  readonly gain: number;
}

/** The tones of a buzzer pattern: a reader buzzer's shrill square wave, cut at MAX_BUZZ_S. */
export function buzzTones(pattern: BuzzPattern): Tone[] {
  if (pattern.onMs <= 0) return [];
  const tones: Tone[] = [];
  const onS = pattern.onMs / 1000;
  const periodS = onS + pattern.offMs / 1000;
  const count = Math.max(1, pattern.count);
  for (let i = 0; i < count && i * periodS < MAX_BUZZ_S; i++) {
    tones.push({ frequencyHz: 2400, startS: i * periodS, durationS: Math.min(onS, MAX_BUZZ_S - i * periodS), type: 'square', gain: 0.05 });
  }
  return tones;
}
