/**
 * Renders DET curves (false negatives against false positives, both on log axes) as a standalone SVG
 * document, in the style of roc-svg.ts: no DOM, no dependencies. Open-set identification plots FNIR against
 * FPIR ({@link renderDetSvg}), presentation-attack detection BPCER against APCER ({@link renderPadDetSvg}).
 */

/** One curve to draw. */
export interface DetSvgCurve {
  /** Legend text, e.g. the gallery size. */
  label: string;
  /** Points, any order: FPIR (x) and FNIR (y), fractions 0..1. */
  points: ReadonlyArray<{ fpir: number; fnir: number }>;
  /** Draw the curve dashed (e.g. a modelled rather than measured curve); default false. */
  dashed?: boolean;
}

/** Options for {@link renderDetSvg}; every field has a default. */
export interface DetSvgOptions {
  /** Title above the plot; default 'DET'. */
  title?: string;
  /** Image width in px; default 720. */
  widthPx?: number;
  /** Image height in px; default 560. */
  heightPx?: number;
  /** Low end of both log axes; default 1e-4 (rates below it, including 0, are drawn at the axis). */
  minRate?: number;
  /** FPIRs marked with a dashed line; default [1e-3, 1e-2]. */
  markerFpirs?: readonly number[];
}

/** One presentation-attack curve to draw. */
export interface PadDetSvgCurve {
  /** Legend text, e.g. the checks combined. */
  label: string;
  /** Points, any order: APCER (x) and BPCER (y), fractions 0..1. */
  points: ReadonlyArray<{ apcer: number; bpcer: number }>;
}

/** Options for {@link renderPadDetSvg}; every field has a default. */
export interface PadDetSvgOptions {
  /** Title above the plot; default 'DET'. */
  title?: string;
  /** Image width in px; default 720. */
  widthPx?: number;
  /** Image height in px; default 560. */
  heightPx?: number;
  /** Low end of both log axes; default 1e-3 (rates below it, including 0, are drawn at the axis). */
  minRate?: number;
  /** APCER marked with a dashed line; default 0.05 (BPCER20). */
  markerApcer?: number;
  /** X-axis name; default 'APCER'. */
  xLabel?: string;
}

/** An SVG document plotting `curves` with log FPIR (minRate..1) across and log FNIR (minRate..1) up. */
export function renderDetSvg(curves: readonly DetSvgCurve[], options: DetSvgOptions = {}): string {
  const { title = 'DET', widthPx = 720, heightPx = 560, minRate = 1e-4, markerFpirs = [1e-3, 1e-2] } = options;
  if (!(minRate > 0 && minRate < 1)) throw new RangeError(`renderDetSvg: minRate must lie in (0, 1), got ${minRate}`);
  return renderDetPlot(
    curves.map((curve) => ({ label: curve.label, points: curve.points.map((p) => ({ x: p.fpir, y: p.fnir })), dashed: curve.dashed })),
    {
      title,
      widthPx,
      heightPx,
      minRate,
      xAxisText: 'False positive identification rate (FPIR, log scale)',
      yAxisText: 'False negative identification rate (FNIR, log scale)',
      markerClass: 'fpir-marker',
      markers: markerFpirs.map((fpir) => ({ rate: fpir, text: `FPIR ${fpir}` })),
    },
  );
}

/** An SVG document plotting `curves` with log APCER (minRate..1) across and log BPCER (minRate..1) up. */
export function renderPadDetSvg(curves: readonly PadDetSvgCurve[], options: PadDetSvgOptions = {}): string {
  const { title = 'DET', widthPx = 720, heightPx = 560, minRate = 1e-3, markerApcer = 0.05, xLabel = 'APCER' } = options;
  if (!(minRate > 0 && minRate < 1)) throw new RangeError(`renderPadDetSvg: minRate must lie in (0, 1), got ${minRate}`);
  return renderDetPlot(
    curves.map((curve) => ({ label: curve.label, points: curve.points.map((p) => ({ x: p.apcer, y: p.bpcer })) })),
    {
      title,
      widthPx,
      heightPx,
      minRate,
      xAxisText: `${escapeXml(xLabel)} (attacks accepted, log scale)`,
      yAxisText: 'BPCER (bona fide rejected, log scale)',
      markerClass: 'apcer-marker',
      markers: [{ rate: markerApcer, text: `${escapeXml(xLabel)} ${markerApcer * 100} %` }],
    },
  );
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const MARGIN_PX = { left: 64, right: 24, top: 48, bottom: 56 };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

interface DetPlotCurve {
  label: string;
  /** False positive rate (x) and false negative rate (y), fractions 0..1. */
  points: ReadonlyArray<{ x: number; y: number }>;
  dashed?: boolean | undefined;
}

interface DetPlotLayout {
  title: string;
  widthPx: number;
  heightPx: number;
  /** In (0, 1), checked by the caller. */
  minRate: number;
  /** Axis names, already escaped. */
  xAxisText: string;
  yAxisText: string;
  markerClass: string;
  /** False positive rates marked with a dashed line; `text` already escaped. */
  markers: ReadonlyArray<{ rate: number; text: string }>;
}

/** The plot both DETs share: decade grid, axes, markers, one path per curve and a legend in the lower left. */
function renderDetPlot(curves: readonly DetPlotCurve[], layout: DetPlotLayout): string {
  const { title, widthPx, heightPx, minRate } = layout;
  const plotW = widthPx - MARGIN_PX.left - MARGIN_PX.right;
  const plotH = heightPx - MARGIN_PX.top - MARGIN_PX.bottom;
  const logMin = Math.log10(minRate);
  const x = (rate: number): number => MARGIN_PX.left + ((Math.log10(Math.max(rate, minRate)) - logMin) / -logMin) * plotW;
  const y = (rate: number): number => MARGIN_PX.top + (1 - (Math.log10(Math.max(rate, minRate)) - logMin) / -logMin) * plotH;
  const f = (n: number): string => n.toFixed(2);
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    `<text x="${widthPx / 2}" y="${MARGIN_PX.top / 2 + 6}" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
    '<g class="grid" stroke-width="1">',
  ];
  for (let decade = Math.ceil(logMin); decade <= 0; decade++) {
    const rate = 10 ** decade;
    const label = decade === 0 ? '1' : `1e${decade}`;
    out.push(
      `<line x1="${f(x(rate))}" y1="${f(y(minRate))}" x2="${f(x(rate))}" y2="${f(y(1))}" stroke="#cccccc"/>`,
      `<text x="${f(x(rate))}" y="${f(y(minRate) + 18)}" text-anchor="middle">${label}</text>`,
      `<line x1="${f(x(minRate))}" y1="${f(y(rate))}" x2="${f(x(1))}" y2="${f(y(rate))}" stroke="#cccccc"/>`,
      `<text x="${f(x(minRate) - 8)}" y="${f(y(rate) + 4)}" text-anchor="end">${label}</text>`,
    );
  }
  out.push('</g>');
  out.push(
    `<rect x="${f(x(minRate))}" y="${f(y(1))}" width="${f(plotW)}" height="${f(plotH)}" fill="none" stroke="#333333"/>`,
    `<text x="${f(MARGIN_PX.left + plotW / 2)}" y="${heightPx - 12}" text-anchor="middle">${layout.xAxisText}</text>`,
    `<text x="16" y="${f(MARGIN_PX.top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${f(MARGIN_PX.top + plotH / 2)})">${layout.yAxisText}</text>`,
  );
  for (const marker of layout.markers) {
    if (marker.rate < minRate || marker.rate > 1) continue;
    out.push(
      `<line class="${layout.markerClass}" x1="${f(x(marker.rate))}" y1="${f(y(minRate))}" x2="${f(x(marker.rate))}" y2="${f(y(1))}" stroke="#555555" stroke-dasharray="4 3"/>`,
      `<text x="${f(x(marker.rate) + 4)}" y="${f(y(1) + 14)}" fill="#555555">${marker.text}</text>`,
    );
  }
  curves.forEach((curve, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const sorted = [...curve.points].sort((a, b) => a.x - b.x || b.y - a.y);
    const d = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p.x))},${f(y(p.y))}`).join(' ');
    const dash = curve.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<path class="det-curve" data-label="${escapeXml(curve.label)}" data-points="${sorted.length}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
  });
  // Legend in the lower left: a DET curve runs from the upper left to the lower right.
  const legendLineH = 18;
  const legendTop = y(minRate) - 10 - legendLineH * curves.length;
  curves.forEach((curve, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const rowY = legendTop + legendLineH * (index + 0.5);
    const left = x(minRate) + 10;
    out.push(
      `<line x1="${f(left)}" y1="${f(rowY)}" x2="${f(left + 24)}" y2="${f(rowY)}" stroke="${colour}" stroke-width="3"${curve.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text class="legend" x="${f(left + 30)}" y="${f(rowY + 4)}">${escapeXml(curve.label)}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}
