import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderRocSvg, tarAtFarOnCurve } from './roc-svg.js';

/** Checks that every element is closed in order (a small well-formedness check, not a full XML parser). */
function assertBalancedTags(svg: string): void {
  const stack: string[] = [];
  const body = svg.replace(/^<\?xml[^>]*\?>/, '');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') assert.equal(stack.pop(), name, `unexpected </${name}>`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  // Text content must not carry raw markup characters.
  assert.doesNotMatch(body.replace(/<[^>]*>/g, ''), /[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/);
}

const curveA = [
  { far: 0, tar: 0 },
  { far: 0, tar: 0.6 },
  { far: 1e-3, tar: 0.8 },
  { far: 1e-2, tar: 0.95 },
  { far: 1, tar: 1 },
];
const curveB = [
  { far: 0, tar: 0 },
  { far: 0.5, tar: 0.9 },
  { far: 1, tar: 1 },
];

describe('renderRocSvg', () => {
  const svg = renderRocSvg(
    [
      { label: 'mobilefacenet <fp32>', points: curveA, accuracyMean: 0.9912, accuracySd: 0.0031 },
      { label: 'facenet & co', points: curveB },
    ],
    { title: 'LFW dev: A vs B' },
  );

  it('is a well-formed standalone SVG with the title', () => {
    assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assertBalancedTags(svg);
    assert.match(svg, /<title>LFW dev: A vs B<\/title>/);
  });

  it('draws one path per curve with one point per ROC point', () => {
    const paths = [...svg.matchAll(/<path class="roc-curve"[^>]* d="([^"]*)"/g)].map((m) => m[1]!);
    assert.equal(paths.length, 2);
    assert.equal(paths[0]!.match(/[ML]-?[\d.]+,-?[\d.]+/g)?.length, curveA.length);
    assert.equal(paths[1]!.match(/[ML]-?[\d.]+,-?[\d.]+/g)?.length, curveB.length);
    assert.match(svg, /data-points="5"/);
  });

  it('marks FAR 1e-3 and 1e-2 and escapes the legend, with accuracy ± sd in percent', () => {
    assert.equal(svg.match(/class="far-marker"/g)?.length, 2);
    assert.match(svg, />FAR 1e-3</);
    assert.match(svg, />FAR 1e-2</);
    assert.equal(svg.match(/<circle /g)?.length, 4);
    assert.match(svg, /mobilefacenet &lt;fp32&gt; — accuracy 99\.12 ± 0\.31 %/);
    assert.match(svg, />facenet &amp; co</);
  });

  it('clamps FAR 0 to the left edge of the log axis instead of emitting -Infinity', () => {
    assert.doesNotMatch(svg, /Infinity|NaN/);
  });
});

describe('tarAtFarOnCurve', () => {
  it('takes the best TAR at or below the FAR', () => {
    assert.equal(tarAtFarOnCurve(curveA, 1e-3), 0.8);
    assert.equal(tarAtFarOnCurve(curveA, 5e-3), 0.8);
    assert.equal(tarAtFarOnCurve(curveB, 1e-2), 0);
  });
});
