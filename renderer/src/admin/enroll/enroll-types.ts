import type { RequestOf } from '../../contract.js';

export type PhotoUpload = RequestOf<'enroll:photos'>['photos'][number];

/** Where the new person's samples come from. */
export type EnrollSource = { readonly kind: 'live'; readonly sessionId: string; readonly samplesWanted: number } | { readonly kind: 'photos'; readonly photos: readonly PhotoUpload[] };
