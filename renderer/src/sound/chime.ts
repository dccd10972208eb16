// The door's sounds, made with WebAudio (no audio files): a rising two-tone chime for granted, a low double buzz
// for denied, and the reader buzzer an access-control panel sounds through an OSDP output (tones.ts). The
// AudioContext is made on the first user gesture (autoplay rules) or, failing that, when first needed; where
// audio is not allowed the door is silent, never broken.

import { buzzTones, type BuzzPattern, type Tone } from './tones.js';

export type ChimeKind = 'granted' | 'denied';

export interface Chime {
  play(kind: ChimeKind): void;
  /** The panel's reader buzzer; a pattern without on time (the panel's "off") plays nothing. */
  buzz(pattern: BuzzPattern): void;
  /** Listens for the first gesture to unlock audio; returns the stop. */
  unlockOnGesture(target: Window): () => void;
}

const TONES: Readonly<Record<ChimeKind, readonly Tone[]>> = {
  granted: [
    { frequencyHz: 660, startS: 0, durationS: 0.16, type: 'sine', gain: 0.35 },
    { frequencyHz: 990, startS: 0.16, durationS: 0.3, type: 'sine', gain: 0.35 },
  ],
  denied: [
    { frequencyHz: 150, startS: 0, durationS: 0.2, type: 'square', gain: 0.12 },
    { frequencyHz: 150, startS: 0.28, durationS: 0.2, type: 'square', gain: 0.12 },
  ],
};

export function createChime(makeContext: () => AudioContext = () => new AudioContext()): Chime {
  let context: AudioContext | null = null;

  const ensureContext = (): AudioContext | null => {
    try {
      return (context ??= makeContext());
    } catch {
      return null;
    }
  };

  const schedule = (audio: AudioContext, tones: readonly Tone[]): void => {
    try {
      const now = audio.currentTime + 0.02;
      for (const tone of tones) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = tone.type;
        oscillator.frequency.value = tone.frequencyHz;
        // Short ramps in and out: no clicks.
        gain.gain.setValueAtTime(0, now + tone.startS);
        gain.gain.linearRampToValueAtTime(tone.gain, now + tone.startS + 0.015);
        gain.gain.setValueAtTime(tone.gain, now + tone.startS + tone.durationS - 0.04);
        gain.gain.linearRampToValueAtTime(0, now + tone.startS + tone.durationS);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(now + tone.startS);
        oscillator.stop(now + tone.startS + tone.durationS + 0.01);
      }
    } catch {
      // Audio is a courtesy: a failure here must not disturb the door screen.
    }
  };

  const sound = (tones: readonly Tone[]): void => {
    const audio = ensureContext();
    if (!audio || tones.length === 0) return;
    if (audio.state === 'running') {
      schedule(audio, tones);
      return;
    }
    // Still suspended (no gesture yet): it plays if the browser lets it resume, else stays silent.
    audio
      .resume()
      .then(() => {
        if (audio.state === 'running') schedule(audio, tones);
      })
      .catch(() => undefined);
  };

  return {
    play(kind) {
      sound(TONES[kind]);
    },
    buzz(pattern) {
      sound(buzzTones(pattern));
    },
    unlockOnGesture(target) {
      const unlock = (): void => {
        ensureContext()
          ?.resume()
          .catch(() => undefined);
        stop();
      };
      const stop = (): void => {
        target.removeEventListener('pointerdown', unlock, true);
        target.removeEventListener('keydown', unlock, true);
      };
      target.addEventListener('pointerdown', unlock, true);
      target.addEventListener('keydown', unlock, true);
      return stop;
    },
  };
}
