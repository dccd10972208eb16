import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { renderDetSvg, renderPadDetSvg } from './det-svg.js';

/** The numbers of a path's `d` attribute as [x, y] pairs. */
function pathPoints(svg: string, label: string): Array<[number, number]> {
  const match = new RegExp(`data-label="${label}"[^>]* d="([^"]+)"`).exec(svg);
  assert.ok(match, `no curve labelled ${label}`);
  return match[1]!.split(' ').map((step) => step.slice(1).split(',').map(Number) as [number, number]);
}

describe('renderDetSvg', () => {
  const svg = renderDetSvg(
    [
      { label: 'N = 826, measured', points: [{ fpir: 1e-2, fnir: 0.1 }, { fpir: 1e-3, fnir: 0.3 }, { fpir: 0, fnir: 1 }] },
      { label: 'N = 10,000 <modelled>', points: [{ fpir: 1e-2, fnir: 0.2 }], dashed: true },
    ],
    { title: 'DET & co' },
  );

  test('a standalone SVG document with the title escaped', () => {
    assert.match(svg, /^<\?xml version="1.0"/);
    assert.match(svg, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="720" height="560"/);
    assert.match(svg, /<title>DET &amp; co<\/title>/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
  });

  test('one path per curve, the modelled one dashed, in legend order', () => {
    assert.equal(svg.match(/class="det-curve"/g)?.length, 2);
    assert.match(svg, /data-label="N = 10,000 &lt;modelled&gt;"[^>]*stroke-dasharray="6 4"/);
    assert.doesNotMatch(svg, /data-label="N = 826, measured"[^>]*stroke-dasharray/);
  });

  test('points are drawn by rising FPIR on log axes: a decade apart is the same distance on both', () => {
    const points = pathPoints(svg, 'N = 826, measured');
    assert.equal(points.length, 3);
    const [zero, p3, p2] = points as [[number, number], [number, number], [number, number]];
    // FPIR 0 is clamped to the left edge (1e-4): three decades left of 1e-1… and FNIR 1 is the top.
    assert.ok(zero[0] < p3[0] && p3[0] < p2[0]);
    const decadeX = p2[0] - p3[0];
    assert.ok(Math.abs(p3[0] - zero[0] - decadeX) < 0.02, 'FPIR 1e-4 → 1e-3 spans one decade');
    assert.ok(zero[1] < p3[1] && p3[1] < p2[1], 'lower FNIR is drawn lower');
    assert.ok(zero[1] === 48, 'FNIR 1 at the top of the plot');
  });

  test('the axis range must lie in (0, 1)', () => {
    assert.throws(() => renderDetSvg([], { minRate: 0 }), RangeError);
    assert.throws(() => renderDetSvg([], { minRate: 1 }), RangeError);
  });
});

describe('renderPadDetSvg', () => {
  const svg = renderPadDetSvg([{ label: 'texture & depth', points: [{ apcer: 0.2, bpcer: 0.01 }, { apcer: 0, bpcer: 1 }, { apcer: 0.05, bpcer: 0.1 }] }], { xLabel: 'APCER, worst species' });

  test('the same plot with APCER across, BPCER up and the BPCER20 marker', () => {
    assert.match(svg, />APCER, worst species \(attacks accepted, log scale\)</);
    assert.match(svg, />BPCER \(bona fide rejected, log scale\)</);
    assert.equal(svg.match(/class="apcer-marker"/g)?.length, 1);
    assert.match(svg, />APCER, worst species 5 %</);
    assert.doesNotMatch(svg, /fpir-marker/);
  });

  test('points by rising APCER, APCER 0 clamped to the left edge of a 1e-3 axis', () => {
    const [zero, p05, p2] = pathPoints(svg, 'texture &amp; depth') as [[number, number], [number, number], [number, number]];
    assert.ok(zero[0] < p05[0] && p05[0] < p2[0]);
    assert.equal(zero[0], 64, 'APCER 0 at the left margin');
    assert.ok(p05[1] < p2[1], 'lower BPCER is drawn lower');
  });

  test('the axis range must lie in (0, 1)', () => {
    assert.throws(() => renderPadDetSvg([], { minRate: 0 }), RangeError);
  });
});
