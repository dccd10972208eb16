/**
 * Renders ROC curves (TAR against log-scaled FAR) as a standalone SVG document, for reports that compare
 * extractors. No DOM and no dependencies: the output is a string a browser or an image viewer opens.
 */

/** One curve to draw. */
export interface RocSvgCurve {
  /** Legend text, e.g. the extractor's name. */
  label: string;
  /** ROC points in order of rising FAR (0..1) and TAR (0..1), e.g. VerificationMetrics.roc. */
  points: ReadonlyArray<{ far: number; tar: number }>;
  /** k-fold accuracy mean (0..1) for the legend; omitted from it when absent. */
  accuracyMean?: number;
  /** k-fold accuracy sample sd (0..1) for the legend. */
  accuracySd?: number;
}

/** Options for {@link renderRocSvg}; every field has a default. */
export interface RocSvgOptions {
  /** Title above the plot; default 'ROC'. */
  title?: string;
  /** Image width in px; default 720. */
  widthPx?: number;
  /** Image height in px; default 520. */
  heightPx?: number;
  /** Left end of the log FAR axis; default 1e-4 (FAR below it, including 0, is drawn at the axis). */
  minFar?: number;
  /** FARs marked with a dashed line and a dot on each curve; default [1e-3, 1e-2]. */
  markerFars?: readonly number[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const MARGIN_PX = { left: 64, right: 24, top: 48, bottom: 56 };

/** Escapes text for SVG element content and attribute values. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** TAR at a FAR on a step ROC: the best TAR among points whose FAR does not exceed it. */
export function tarAtFarOnCurve(points: ReadonlyArray<{ far: number; tar: number }>, far: number): number {
  let tar = 0;
  for (const point of points) if (point.far <= far && point.tar > tar) tar = point.tar;
  return tar;
}

function formatFar(far: number): string {
  const exponent = Math.round(Math.log10(far));
  return exponent === 0 ? '1' : `1e${exponent}`;
}

/** An SVG document plotting `curves` on a log FAR axis (minFar..1) against a linear TAR axis (0..1). */
export function renderRocSvg(curves: readonly RocSvgCurve[], options: RocSvgOptions = {}): string {
  const { title = 'ROC', widthPx = 720, heightPx = 520, minFar = 1e-4, markerFars = [1e-3, 1e-2] } = options;
  if (!(minFar > 0 && minFar < 1)) throw new RangeError(`renderRocSvg: minFar must lie in (0, 1), got ${minFar}`);
  const plotW = widthPx - MARGIN_PX.left - MARGIN_PX.right;
  const plotH = heightPx - MARGIN_PX.top - MARGIN_PX.bottom;
  const logMin = Math.log10(minFar);
  const x = (far: number): number => MARGIN_PX.left + ((Math.log10(Math.max(far, minFar)) - logMin) / -logMin) * plotW;
  const y = (tar: number): number => MARGIN_PX.top + (1 - tar) * plotH;
  const f = (n: number): string => n.toFixed(2);
  const out: string[] = [];

  out.push(
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    `<text x="${widthPx / 2}" y="${MARGIN_PX.top / 2 + 6}" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
  );

  // Grid: decades and their 2..9 subdivisions on the FAR axis, tenths on the TAR axis.
  out.push('<g class="grid" stroke-width="1">');
  for (let decade = Math.ceil(logMin); decade <= 0; decade++) {
    const far = 10 ** decade;
    out.push(`<line x1="${f(x(far))}" y1="${f(y(0))}" x2="${f(x(far))}" y2="${f(y(1))}" stroke="#cccccc"/>`);
    out.push(`<text x="${f(x(far))}" y="${f(y(0) + 18)}" text-anchor="middle">${formatFar(far)}</text>`);
    for (let k = 2; k <= 9 && decade < 0; k++) {
      const minor = k * far;
      if (minor >= minFar) out.push(`<line x1="${f(x(minor))}" y1="${f(y(0))}" x2="${f(x(minor))}" y2="${f(y(1))}" stroke="#eeeeee"/>`);
    }
  }
  for (let tenth = 0; tenth <= 10; tenth++) {
    const tar = tenth / 10;
    out.push(`<line x1="${f(x(minFar))}" y1="${f(y(tar))}" x2="${f(x(1))}" y2="${f(y(tar))}" stroke="${tenth % 5 === 0 ? '#cccccc' : '#eeeeee'}"/>`);
    out.push(`<text x="${f(x(minFar) - 8)}" y="${f(y(tar) + 4)}" text-anchor="end">${tar.toFixed(1)}</text>`);
  }
  out.push('</g>');
  out.push(`<rect x="${f(x(minFar))}" y="${f(y(1))}" width="${f(plotW)}" height="${f(plotH)}" fill="none" stroke="#333333"/>`);
  out.push(
    `<text x="${f(MARGIN_PX.left + plotW / 2)}" y="${heightPx - 12}" text-anchor="middle">False accept rate (FAR, log scale)</text>`,
    `<text x="16" y="${f(MARGIN_PX.top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${f(MARGIN_PX.top + plotH / 2)})">True accept rate (TAR)</text>`,
  );

  for (const far of markerFars) {
    if (far < minFar || far > 1) continue;
    out.push(
      `<line class="far-marker" x1="${f(x(far))}" y1="${f(y(0))}" x2="${f(x(far))}" y2="${f(y(1))}" stroke="#555555" stroke-dasharray="4 3"/>`,
      `<text x="${f(x(far) + 4)}" y="${f(y(1) + 14)}" fill="#555555">FAR ${formatFar(far)}</text>`,
    );
  }

  curves.forEach((curve, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const d = curve.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p.far))},${f(y(p.tar))}`).join(' ');
    out.push(
      `<path class="roc-curve" data-label="${escapeXml(curve.label)}" data-points="${curve.points.length}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`,
    );
    for (const far of markerFars) {
      if (far < minFar || far > 1) continue;
      out.push(`<circle cx="${f(x(far))}" cy="${f(y(tarAtFarOnCurve(curve.points, far)))}" r="4" fill="${colour}"/>`);
    }
  });

  // Legend in the lower right, the corner a ROC curve leaves empty.
  const legendLineH = 18;
  const legendTop = y(0) - 10 - legendLineH * curves.length;
  curves.forEach((curve, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const rowY = legendTop + legendLineH * (index + 0.5);
    const accuracy =
      curve.accuracyMean === undefined
        ? ''
        : ` — accuracy ${(curve.accuracyMean * 100).toFixed(2)}${curve.accuracySd === undefined ? '' : ` ± ${(curve.accuracySd * 100).toFixed(2)}`} %`;
    const right = x(1) - 10;
    out.push(
      `<line x1="${f(right - 24)}" y1="${f(rowY)}" x2="${f(right)}" y2="${f(rowY)}" stroke="${colour}" stroke-width="3"/>`,
      `<text class="legend" x="${f(right - 30)}" y="${f(rowY + 4)}" text-anchor="end">${escapeXml(curve.label + accuracy)}</text>`,
    );
  });

  out.push('</svg>', '');
  return out.join('\n');
}
