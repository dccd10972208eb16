// The door's sounds, made with WebAudio (no audio files): a rising two-tone chime for granted, a low double buzz
// for denied. The AudioContext is made on the first user gesture (autoplay rules) or, failing that, when first
// needed; where audio is not allowed the door is silent, never broken.

export type ChimeKind = 'granted' | 'denied';

export interface Chime {
  play(kind: ChimeKind): void;
  /** Listens for the first gesture to unlock audio; returns the stop. */
  unlockOnGesture(target: Window): () => void;
}

interface Tone {
  readonly frequencyHz: number;
  readonly startS: number;
  readonly durationS: number;
  readonly type: OscillatorType;
  readonly gain: number;
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

  const schedule = (audio: AudioContext, kind: ChimeKind): void => {
    try {
      const now = audio.currentTime + 0.02;
      for (const tone of TONES[kind]) {
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

  return {
    play(kind) {
      const audio = ensureContext();
      if (!audio) return;
      if (audio.state === 'running') {
        schedule(audio, kind);
        return;
      }
      // Still suspended (no gesture yet): it plays if the browser lets it resume, else stays silent.
      audio
        .resume()
        .then(() => {
          if (audio.state === 'running') schedule(audio, kind);
        })
        .catch(() => undefined);
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
