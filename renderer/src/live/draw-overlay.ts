// Drawing a camera frame and what was found in it. The image is mirrored like a mirror (people at a kiosk
// expect to see themselves that way); overlay coordinates go through the same mapping, text is never mirrored.
import type { ChallengePrompt } from '../store/types.js';
import { challengeLabel, QUALITY_HINT_TEXT } from '../wording/wording.js';
import type { AnalysisMessage } from './live-feed.js';
import { boxToCanvas, pointToCanvas, type BoxNorm, type RectPx } from './overlay-geometry.js';

type Face = AnalysisMessage['faces'][number];

const COLOURS = {
  matched: '#4ade80',
  unknown: '#f1f5f9',
  hint: '#fbbf24',
  enrollOk: '#4ade80',
  enrollWait: '#fbbf24',
  landmark: '#38bdf8',
  challenge: '#5cc8ff',
  challengeFailed: '#ff7a7a',
  labelBackground: 'rgba(2, 6, 23, 0.78)',
} as const;

/** Text size on the canvas, px: readable at a metre on the kiosk, not huge on a small canvas. */
function fontSizePx(imageRect: RectPx, pixelRatio: number): number {
  return Math.round(Math.min(Math.max(imageRect.height * 0.034, 15 * pixelRatio), 34 * pixelRatio));
}

/** Draws the frame into its letterboxed rectangle, mirrored when asked. */
export function drawFrame(context: CanvasRenderingContext2D, image: CanvasImageSource, imageRect: RectPx, mirrored: boolean): void {
  context.save();
  if (mirrored) {
    context.translate(imageRect.x + imageRect.width, imageRect.y);
    context.scale(-1, 1);
    context.drawImage(image, 0, 0, imageRect.width, imageRect.height);
  } else {
    context.drawImage(image, imageRect.x, imageRect.y, imageRect.width, imageRect.height);
  }
  context.restore();
}

function roundedRect(context: CanvasRenderingContext2D, rect: RectPx, radius: number): void {
  context.beginPath();
  context.roundRect(rect.x, rect.y, rect.width, rect.height, radius);
}

/** A label on a dark pill; `anchor` is its top-left corner, kept inside the canvas. */
function drawLabel(context: CanvasRenderingContext2D, text: string, x: number, y: number, colour: string, fontPx: number): void {
  context.font = `600 ${fontPx}px system-ui, "DejaVu Sans", sans-serif`;
  const padding = Math.round(fontPx * 0.35);
  const width = context.measureText(text).width + padding * 2;
  const height = fontPx + padding * 2;
  const left = Math.min(Math.max(0, x), context.canvas.width - width);
  const top = Math.min(Math.max(0, y), context.canvas.height - height);
  context.fillStyle = COLOURS.labelBackground;
  roundedRect(context, { x: left, y: top, width, height }, padding);
  context.fill();
  context.fillStyle = colour;
  context.textBaseline = 'middle';
  context.fillText(text, left + padding, top + height / 2);
}

/** How the door's overlay is drawn beyond the faces themselves. */
export interface OverlayStyle {
  /** Track numbers beside the faces (setting `door.showDiagnostics`); default not. */
  readonly diagnostics?: boolean;
  /** Size of the quality hint ("Come closer"), device px: the decision text's, to be read from a distance; default the labels'. */
  readonly hintFontPx?: number;
  /** More than one face is asked a challenge: each challenge is numbered like its prompt card. */
  readonly severalChallenged?: boolean;
}

/**
 * A face: box, five landmarks, the name and match score (else similarity) when matched, the track number with
 * diagnostics; under it the challenge it is asked (so each of several challenged faces shows its own), and the
 * quality hint, large.
 */
function drawFace(context: CanvasRenderingContext2D, face: Face, imageRect: RectPx, mirrored: boolean, pixelRatio: number, challenge: ChallengePrompt | undefined, style: OverlayStyle): void {
  const colour = face.match ? COLOURS.matched : COLOURS.unknown;
  const fontPx = fontSizePx(imageRect, pixelRatio);
  const box = boxToCanvas(face.boxNorm, imageRect, mirrored);
  context.lineWidth = Math.max(2, Math.round(3 * pixelRatio));
  context.strokeStyle = colour;
  roundedRect(context, box, Math.min(box.width, box.height) * 0.08);
  context.stroke();

  context.fillStyle = COLOURS.landmark;
  const radius = Math.max(3, 4 * pixelRatio);
  for (const point of face.fivePointsNorm) {
    const at = pointToCanvas(point, imageRect, mirrored);
    context.beginPath();
    context.arc(at.x, at.y, radius, 0, Math.PI * 2);
    context.fill();
  }

  const score = face.match ? (face.match.matchScore !== undefined ? String(face.match.matchScore) : face.match.similarity.toFixed(2)) : '';
  const trackTag = style.diagnostics ? `#${face.trackId}  ` : '';
  const label = face.match ? `${trackTag}${face.match.name}  ${score}` : trackTag.trim();
  const labelHeight = fontPx * 1.7;
  if (label !== '') drawLabel(context, label, box.x, box.y - labelHeight - 4, colour, fontPx);
  let belowY = box.y + box.height + 6;
  if (challenge) {
    const challengeColour = challenge.status === 'failed' ? COLOURS.challengeFailed : COLOURS.challenge;
    // With several faces challenged, the number ties each face to its prompt card (ChallengePrompts) all the same.
    const challengeTag = style.diagnostics || style.severalChallenged ? `#${face.trackId}  ` : '';
    drawLabel(context, `${challengeTag}${challengeLabel(challenge)}`, box.x, belowY, challengeColour, fontPx);
    belowY += labelHeight + 4;
  }
  if (face.qualityHint) {
    // Centred under the face: at this size the words are wider than a small (far) face's box.
    const hintFontPx = Math.max(fontPx, style.hintFontPx ?? fontPx);
    const text = QUALITY_HINT_TEXT[face.qualityHint];
    context.font = `600 ${hintFontPx}px system-ui, "DejaVu Sans", sans-serif`;
    const widthPx = context.measureText(text).width + Math.round(hintFontPx * 0.35) * 2;
    drawLabel(context, text, box.x + box.width / 2 - widthPx / 2, belowY, COLOURS.hint, hintFontPx);
  }
}

/** Every face of an analysis, with the challenge each is asked (`challenges`, by track). */
export function drawAnalysis(
  context: CanvasRenderingContext2D, analysis: AnalysisMessage, imageRect: RectPx, mirrored: boolean, pixelRatio: number,
  challenges: readonly ChallengePrompt[] = [], style: OverlayStyle = {},
): void {
  const faceStyle = { ...style, severalChallenged: challenges.length > 1 };
  for (const face of analysis.faces) drawFace(context, face, imageRect, mirrored, pixelRatio, challenges.find((prompt) => prompt.trackId === face.trackId), faceStyle);
}

/** The face a live enrollment is collecting: green once its frames are usable, amber while not. */
export function drawEnrollmentBox(context: CanvasRenderingContext2D, boxNorm: BoxNorm, usable: boolean, imageRect: RectPx, mirrored: boolean, pixelRatio: number): void {
  const box = boxToCanvas(boxNorm, imageRect, mirrored);
  context.lineWidth = Math.max(3, Math.round(4 * pixelRatio));
  context.strokeStyle = usable ? COLOURS.enrollOk : COLOURS.enrollWait;
  if (!usable) context.setLineDash([12 * pixelRatio, 8 * pixelRatio]);
  roundedRect(context, box, Math.min(box.width, box.height) * 0.08);
  context.stroke();
  context.setLineDash([]);
}
