// Changes as the hub writes them, for the terminal's sync tests.
import { randomUUID } from 'node:crypto';

import type { ChangeInput } from '../../../shared/fleet/index.js';
import { encodeTemplate } from '../../store/samples-repository.js';
import { ARCFACE_ALIGNMENT, fakeJpeg, fakeQuality, fakeTemplate } from '../../store/test/test-helpers.js';

/**
 * A person upsert as the hub sends it: in group `staff`, with card 13:`cardNumber` and one sample (aligned to the
 * ArcFace template) carrying a 64-d template of `modelId` made from the name.
 */
export function personChange(
  seq: number,
  id: string,
  version: number,
  name: string,
  options: { modelId?: string; cardNumber?: number; estimatedAgeYears?: number } = {},
): ChangeInput {
  const { modelId = 'model-a', cardNumber = 4242, estimatedAgeYears } = options;
  return {
    seq,
    entity: 'person',
    id,
    version,
    op: 'upsert',
    payload: {
      id,
      name,
      externalId: null,
      enabled: true,
      validFromMs: null,
      validUntilMs: null,
      groups: ['staff'],
      credentials: [{ facilityCode: 13, cardNumber }],
      createdAtMs: 1_000,
      updatedAtMs: 2_000,
      samples: [
        {
          id: randomUUID(),
          createdAtMs: 1_500,
          alignment: { sizePx: ARCFACE_ALIGNMENT.sizePx, fivePointsPx: ARCFACE_ALIGNMENT.fivePointsPx.map(([x, y]) => [x, y]) },
          quality: fakeQuality(),
          cropJpegBase64: fakeJpeg(`crop-${name}`).toString('base64'),
          templates: [{ modelId, dimension: 64, templateBase64: encodeTemplate(fakeTemplate(name, 64)).toString('base64') }],
          ...(estimatedAgeYears === undefined ? {} : { estimatedAgeYears }),
        },
      ],
    },
  };
}
