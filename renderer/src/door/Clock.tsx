import { useEffect, useState, type ReactNode } from 'react';

const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });

/** The time and date, ticking with the wall clock's minutes (it re-renders itself only). */
export function Clock(): ReactNode {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    let timer = 0;
    const tick = (): void => {
      const now = Date.now();
      setNowMs(now);
      timer = window.setTimeout(tick, 1_000 - (now % 1_000) + 5);
    };
    tick();
    return () => window.clearTimeout(timer);
  }, []);
  const now = new Date(nowMs);
  return (
    <div className="clock">
      <time className="clock-time" dateTime={now.toISOString()}>
        {TIME_FORMAT.format(now)}
      </time>
      <span className="clock-date">{DATE_FORMAT.format(now)}</span>
    </div>
  );
}
