// The camera view: a canvas painted by a LivePainter from the live feed. React renders it once; frames and
// overlays never re-render anything.
import { useEffect, useRef, type ReactNode } from 'react';

import { useServices } from '../app/services.js';
import { useLintel } from '../store/store.js';
import type { ChallengePrompt } from '../store/types.js';
import { LivePainter } from './live-painter.js';

export function LiveCanvas({
  mode,
  label,
  enrollmentSessionId,
  className,
}: {
  readonly mode: 'door' | 'enroll';
  readonly label: string;
  readonly enrollmentSessionId?: string;
  readonly className?: string;
}): ReactNode {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { feed } = useServices();
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const detach = feed.attach();
    // The challenges are read by the painter at its own pace: a prompt's update never re-renders the canvas.
    const challenges = (): readonly ChallengePrompt[] => useLintel.getState().challenges;
    const diagnostics = (): boolean => useLintel.getState().health?.showDiagnostics ?? false;
    const painter = new LivePainter(canvas, feed, { mirrored: true, mode, enrollmentSessionId, ...(mode === 'door' ? { challenges, diagnostics } : {}) });
    painter.start();
    return () => {
      painter.stop();
      detach();
    };
  }, [feed, mode, enrollmentSessionId]);
  return (
    <canvas
      ref={canvasRef}
      className={className ? `live-canvas ${className}` : 'live-canvas'}
      role="img"
      aria-label={label}
      data-testid={mode === 'door' ? 'door-canvas' : 'enroll-canvas'}
    />
  );
}
