// Counts down an unattended admin session: pointer and key activity anywhere restart it; at zero `onIdle` runs.
// Re-renders only when the phase changes, and once a second while the warning shows. The terminal ends an idle
// session by itself too, counting calls: `onActive` (at most every quarter of the timeout) tells it the admin is
// still there while they only read or type.
import { useEffect, useRef, useState } from 'react';

import { IdleClock, type IdleState } from './idle-logout.js';

/** How often the countdown is checked, ms. */
const CHECK_EVERY_MS = 500;

export function useIdleLogout(timeoutMs: number, onIdle: () => void, onActive?: () => void): IdleState & { readonly stayActive: () => void } {
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;
  const onActiveRef = useRef(onActive);
  onActiveRef.current = onActive;
  const reportedAtMsRef = useRef(Date.now());
  const report = (nowMs: number): void => {
    if (nowMs - reportedAtMsRef.current < timeoutMs / 4) return;
    reportedAtMsRef.current = nowMs;
    onActiveRef.current?.();
  };
  const clockRef = useRef<IdleClock | null>(null);
  const [state, setState] = useState<IdleState>({ phase: 'active', remainingMs: timeoutMs });

  useEffect(() => {
    const clock = new IdleClock(timeoutMs, Date.now());
    clockRef.current = clock;
    const touch = (): void => {
      const nowMs = Date.now();
      clock.touch(nowMs);
      if (clock.state(nowMs).phase !== 'idle') report(nowMs);
    };
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
      report(Date.now());
      setState({ phase: 'active', remainingMs: timeoutMs });
    },
  };
}
