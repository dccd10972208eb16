// Counts down an unattended admin session: pointer and key activity anywhere restart it; at zero `onIdle` runs.
// Re-renders only when the phase changes, and once a second while the warning shows.
import { useEffect, useRef, useState } from 'react';

import { IdleClock, type IdleState } from './idle-logout.js';

/** How often the countdown is checked, ms. */
const CHECK_EVERY_MS = 500;

export function useIdleLogout(timeoutMs: number, onIdle: () => void): IdleState & { readonly stayActive: () => void } {
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;
  const clockRef = useRef<IdleClock | null>(null);
  const [state, setState] = useState<IdleState>({ phase: 'active', remainingMs: timeoutMs });

  useEffect(() => {
    const clock = new IdleClock(timeoutMs, Date.now());
    clockRef.current = clock;
    const touch = (): void => clock.touch(Date.now());
    const events = ['pointerdown', 'keydown', 'wheel'] as const;
    for (const name of events) window.addEventListener(name, touch, { capture: true, passive: true });
    let fired = false;
    const timer = window.setInterval(() => {
      const next = clock.state(Date.now());
      setState((previous) => {
        const sameSecond = Math.ceil(previous.remainingMs / 1_000) === Math.ceil(next.remainingMs / 1_000);
        return previous.phase === next.phase && (next.phase !== 'warning' || sameSecond) ? previous : next;
      });
      if (next.phase === 'idle' && !fired) {
        fired = true;
        onIdleRef.current();
      }
    }, CHECK_EVERY_MS);
    return () => {
      window.clearInterval(timer);
      for (const name of events) window.removeEventListener(name, touch, { capture: true });
    };
  }, [timeoutMs]);

  return {
    ...state,
    stayActive: () => {
      clockRef.current?.touch(Date.now());
      setState({ phase: 'active', remainingMs: timeoutMs });
    },
  };
}
