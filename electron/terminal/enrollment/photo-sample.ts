import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import { encodeJpeg, ImageDecodeError } from '../../vision/frame/decode.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';
import type { AnalysedFace, FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import type { SampleInput } from '../store/samples-repository.js';
import { describeHint, describeQuality, gateHint, pickSubject, type EnrollmentGates } from './gates.js';
import { loadPhotoBytes, loadPhotoFile, type LoadPhotoFileOptions } from './photo-loader.js';

/** The part of FacePipeline enrollment uses; a fake in unit tests. */
export type EnrollmentAnalyser = Pick<FacePipeline, 'analyse' | 'extract'>;

/** What one photo gave: a sample, or why not. */
export type PhotoOutcome =
  | { readonly status: 'accepted'; readonly detail: string; readonly sample: SampleInput }
  | { readonly status: 'no-face' | 'several-faces' | 'unreadable'; readonly detail: string }
  | { readonly status: 'too-small' | 'poor-quality'; readonly detail: string; readonly quality: FaceQuality };

/** How a photo is judged. */
export interface PhotoSampleOptions {
  readonly gates: EnrollmentGates;
  /** See pickSubject. */
  readonly dominanceRatio: number;
}

/**
 * JPEG quality of stored aligned crops, 1..100. Higher than encodeJpeg's 85: the crop is what templates of a
 * future model are rebuilt from, and at 150×150 px the difference is a few kB.
 */
export const CROP_JPEG_QUALITY = 95;

/** A photo that arrived as bytes (an upload), with the name it is reported under. */
export interface PhotoBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A photo file's path, or an uploaded photo. */
export type PhotoSource = string | PhotoBytes;

/** The name a photo is reported under. */
export const photoName = (photo: PhotoSource): string => (typeof photo === 'string' ? photo : photo.name);

/**
 * The decoded photo (through the checked loader: JPEG, PNG or WebP, bounded in pixels, large ones shrunk), or
 * why not as an outcome; other errors (I/O bugs, an abort) are thrown. `options` bound which files are read.
 */
export async function decodePhoto(photo: PhotoSource, options: LoadPhotoFileOptions = {}): Promise<RgbImage | PhotoOutcome> {
  try {
    return await (typeof photo === 'string' ? loadPhotoFile(photo, options) : loadPhotoBytes(photo.bytes, photo.name));
  } catch (error) {
    if (error instanceof ImageDecodeError) return { status: 'unreadable', detail: error.message };
    throw error;
  }
}

/** A photo's face that passed the checks, before any template is made of it. */
export type JudgedFace = { readonly status: 'usable'; readonly detail: string; readonly face: AnalysedFace };

/**
 * Judges one decoded photo without extracting a template: one subject, through the gates. What an upload is
 * told at once (enroll:check-photo), and the first half of samplePhoto.
 */
export async function judgePhoto(analyser: Pick<EnrollmentAnalyser, 'analyse'>, image: RgbImage, options: PhotoSampleOptions): Promise<JudgedFace | Exclude<PhotoOutcome, { status: 'accepted' }>> {
  const { faces } = await analyser.analyse(image);
  const choice = pickSubject(faces, options.dominanceRatio);
  if (choice.kind === 'none') return { status: 'no-face', detail: 'no face found' };
  if (choice.kind === 'several') {
    return {
      status: 'several-faces',
      detail: `${choice.count} faces and none clearly the subject (${Math.round(choice.largestPx)} and ${Math.round(choice.nextPx)} px between the eyes; the subject needs ${options.dominanceRatio}× the next)`,
    };
  }
  const { face } = choice;
  const hint = gateHint(face.quality, options.gates);
  if (hint !== null) {
    return { status: hint === 'come-closer' ? 'too-small' : 'poor-quality', detail: describeHint(hint, face.quality, options.gates), quality: face.quality };
  }
  const others = choice.othersCount > 0 ? `; ${choice.othersCount} smaller face(s) in the background ignored` : '';
  return { status: 'usable', detail: describeQuality(face.quality) + others, face };
}

/** Judges one decoded photo (judgePhoto), then makes its template and aligned crop. */
export async function samplePhoto(analyser: EnrollmentAnalyser, image: RgbImage, options: PhotoSampleOptions): Promise<PhotoOutcome> {
  const judged = await judgePhoto(analyser, image, options);
  if (judged.status !== 'usable') return judged;
  const extracted = await analyser.extract(image, judged.face, { estimateAge: true });
  const sample = await toSampleInput(extracted, judged.face.quality);
  return { status: 'accepted', detail: judged.detail, sample };
}

/** A store sample from an extraction: the template, its model, the quality, the aligned crop as JPEG and the estimated age. */
export async function toSampleInput(
  extracted: {
    readonly template: { readonly modelId: string; readonly vector: Float32Array };
    readonly alignedCrop: RgbImage;
    readonly alignment: AlignmentTemplate;
    readonly estimatedAgeYears?: number;
  },
  quality: FaceQuality,
): Promise<SampleInput> {
  return {
    template: extracted.template.vector,
    modelId: extracted.template.modelId,
    quality,
    alignedJpeg: await encodeJpeg(extracted.alignedCrop, CROP_JPEG_QUALITY),
    alignment: extracted.alignment,
    ...(extracted.estimatedAgeYears === undefined ? {} : { estimatedAgeYears: extracted.estimatedAgeYears }),
  };
}
