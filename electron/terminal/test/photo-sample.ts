// A photo's face as an enrollment sample, the way an administrator's upload becomes one (detector, fitter,
// alignment, extractor): for tests that enroll someone before the terminal starts.
import assert from 'node:assert/strict';

import { encodeJpeg } from '../../vision/frame/decode.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';
import type { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import type { SampleInput } from '../store/samples-repository.js';

/** The one face of `image` as a sample, with its template for the test's own comparisons. */
export async function photoSample(pipeline: FacePipeline, image: RgbImage): Promise<SampleInput> {
  const [face] = (await pipeline.analyse(image)).faces;
  assert.ok(face, 'the photo shows a face');
  const { template, alignedCrop, alignment } = await pipeline.extract(image, face);
  return { modelId: template.modelId, template: template.vector, alignedJpeg: await encodeJpeg(alignedCrop), alignment, quality: face.quality };
}
