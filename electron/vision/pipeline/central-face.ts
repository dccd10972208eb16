import type { AnalysedFace } from './face-pipeline.js';

/**
 * The face of a portrait: the one whose box centre lies nearest the image centre (LFW and FairFace images are
 * centred on their subject); undefined when there is no face. The first wins a tie.
 */
export function centralFace(faces: readonly AnalysedFace[]): AnalysedFace | undefined {
  let best: AnalysedFace | undefined;
  let bestDistance = Infinity;
  for (const face of faces) {
    const distance = Math.hypot(face.boxNorm.x + face.boxNorm.width / 2 - 0.5, face.boxNorm.y + face.boxNorm.height / 2 - 0.5);
    if (distance < bestDistance) {
      best = face;
      bestDistance = distance;
    }
  }
  return best;
}
