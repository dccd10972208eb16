// Persons enrolled at the hub from photos: the terminal's own inference worker (detector, landmarks, alignment,
// extractor) judges each photo with the photo-enrollment gates and makes the aligned crop and template, so a face
// enrolled at the hub is cut exactly as one enrolled at a door. The worker starts on first use and stays.
import { InferenceClient } from '../../terminal/inference/inference-client.js';
import { DEFAULT_DOMINANCE_RATIO, PHOTO_ENROLLMENT_GATES } from '../../terminal/enrollment/gates.js';
import { decodePhoto, samplePhoto, type PhotoBytes } from '../../terminal/enrollment/photo-sample.js';
import { youngChildOf, type YoungChildNotice } from '../../vision/age/young-child.js';
import { defaultManifestPath } from '../../vision/models/paths.js';
import type { HubSampleInput } from '../store/hub-store.js';

/** What became of one photo. */
export interface PhotoVerdict {
  readonly name: string;
  readonly status: 'accepted' | 'no-face' | 'several-faces' | 'unreadable' | 'too-small' | 'poor-quality';
  readonly detail: string;
}

/** The samples of the usable photos, every photo's verdict, and whether the face looks like a young child's. */
export interface PhotoSamples {
  readonly samples: readonly HubSampleInput[];
  readonly verdicts: readonly PhotoVerdict[];
  readonly youngChild?: YoungChildNotice;
}

/** Makes samples from photos; `close` stops its worker. */
export interface PhotoEnroller {
  samplesFromPhotos(photos: readonly PhotoBytes[]): Promise<PhotoSamples>;
  close(): Promise<void>;
}

/** The inference worker's enroller over the manifest's models (default the shipped manifest and extractor). */
export class WorkerPhotoEnroller implements PhotoEnroller {
  private client: Promise<InferenceClient> | undefined;

  constructor(private readonly options: { readonly manifestPath?: string; readonly extractorId?: string } = {}) {}

  async samplesFromPhotos(photos: readonly PhotoBytes[]): Promise<PhotoSamples> {
    const client = await this.start();
    const samples: HubSampleInput[] = [];
    const verdicts: PhotoVerdict[] = [];
    const agesYears: (number | undefined)[] = [];
    // One photo at a time: the worker runs one model pass at a time anyway, and memory stays one photo's.
    for (const photo of photos) {
      const decoded = await decodePhoto(photo);
      const outcome = 'status' in decoded ? decoded : await samplePhoto(client, decoded, { gates: PHOTO_ENROLLMENT_GATES, dominanceRatio: DEFAULT_DOMINANCE_RATIO });
      verdicts.push({ name: photo.name, status: outcome.status, detail: outcome.detail });
      if (outcome.status === 'accepted') {
        const { sample } = outcome;
        agesYears.push(sample.estimatedAgeYears);
        // The alignment as plain JSON (the wire's shape): its size and five points.
        const alignment = sample.alignment ? { sizePx: sample.alignment.sizePx, fivePointsPx: sample.alignment.fivePointsPx.map(([x, y]) => [x, y]) } : null;
        samples.push({
          alignedJpeg: sample.alignedJpeg,
          alignment,
          quality: sample.quality,
          templates: [{ modelId: sample.modelId, template: sample.template }],
          ...(sample.estimatedAgeYears === undefined ? {} : { estimatedAgeYears: sample.estimatedAgeYears }),
        });
      }
    }
    const youngChild = youngChildOf(agesYears);
    return { samples, verdicts, ...(youngChild ? { youngChild } : {}) };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await (await client.catch(() => undefined))?.close();
  }

  private start(): Promise<InferenceClient> {
    if (!this.client) {
      this.client = InferenceClient.start({ config: { manifestPath: this.options.manifestPath ?? defaultManifestPath(), ...(this.options.extractorId ? { extractorId: this.options.extractorId } : {}) } });
      // A worker that did not start is tried again on the next call.
      this.client.catch(() => {
        this.client = undefined;
      });
    }
    return this.client;
  }
}
