// Per-stage processing time of the last health samples as stacked bars (SVG), with a legend in words and the
// latest figures, so no colour has to be told apart to read it.
import type { ReactNode } from 'react';

import type { TimingSample } from '../../store/store.js';
import { TIMINGS_HISTORY_LENGTH } from '../../store/store.js';
import { chartTopMs, stackSegments, STAGES } from './latency-chart.js';

const WIDTH = 600;
const HEIGHT = 200;
const LEFT = 64;
const BOTTOM = 8;

export function LatencyChart({ samples }: { readonly samples: readonly TimingSample[] }): ReactNode {
  if (samples.length === 0) return <p className="muted">No frames processed yet.</p>;
  const totals = samples.map(({ timingsMs }) => STAGES.reduce((sum, { key }) => sum + timingsMs[key], 0));
  const topMs = chartTopMs(Math.max(...totals));
  const plotHeight = HEIGHT - BOTTOM;
  const slot = (WIDTH - LEFT) / TIMINGS_HISTORY_LENGTH;
  const latest = samples.at(-1)?.timingsMs;
  const offset = TIMINGS_HISTORY_LENGTH - samples.length;
  return (
    <figure className="latency-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Processing time per frame over the last ${samples.length} seconds, up to ${topMs} ms`}>
        {[0, 0.5, 1].map((fraction) => {
          const y = plotHeight - fraction * (plotHeight - 12);
          return (
            <g key={fraction}>
              <line x1={LEFT} x2={WIDTH} y1={y} y2={y} className="chart-grid" />
              <text x={LEFT - 6} y={y + 5} textAnchor="end" className="chart-axis">
                {fraction === 1 ? `${topMs} ms` : Math.round(topMs * fraction)}
              </text>
            </g>
          );
        })}
        {samples.map((sample, index) =>
          stackSegments(sample.timingsMs, topMs).map((segment) => (
            <rect
              key={`${sample.atMs}-${segment.stage}`}
              className={`chart-${segment.stage}`}
              x={LEFT + (offset + index) * slot + 1}
              width={Math.max(1, slot - 2)}
              y={plotHeight - (segment.bottom + segment.height) * (plotHeight - 12)}
              height={segment.height * (plotHeight - 12)}
            />
          )),
        )}
      </svg>
      <figcaption className="chart-legend">
        {STAGES.map(({ key, label }) => (
          <span key={key} className="legend-item">
            <span className={`legend-swatch chart-${key}`} aria-hidden="true" />
            {label} {latest ? `${latest[key].toFixed(1)} ms` : ''}
          </span>
        ))}
        {latest ? <strong className="legend-item">Total {STAGES.reduce((sum, { key }) => sum + latest[key], 0).toFixed(1)} ms</strong> : null}
      </figcaption>
    </figure>
  );
}
