// A site cue file as `lintel pad train` writes it, for the tests of installing and running one.

/**
 * A cue over `features` (default one colour feature: it needs no model, so any terminal can install it), each
 * standardised and weighted alike; trained on 60 bona-fide and 30 hand-held print clips.
 */
export function siteCueFile(features: readonly string[] = ['colour-contrast']) {
  return {
    format: 'lintel-site-pad-cue/1',
    features: [...features],
    mean: features.map(() => 1.5),
    std: features.map(() => 0.5),
    weights: features.map(() => 0.8),
    bias: -0.3,
    threshold: 0.35,
    provenance: {
      trainedAt: '2026-12-01T10:00:00.000Z',
      clips: { 'bona-fide': 60, 'print/hand': 30 },
      framesWithoutFace: 0,
      l2: 1,
      folds: 5,
      thresholdRule: 'BPCER ≤ 5 % on the training clips’ out-of-fold scores (5 folds by person)',
      outOfFold: { bpcer: 0.05, apcerWorst: 0.1, apcerWorstSpecies: 'print/hand', apcerBySpecies: { 'print/hand': 0.1 } },
    },
  };
}
