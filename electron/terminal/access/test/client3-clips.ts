// Two Replay-Attack devel clips of one person (research use, ../shared/data/pad; never shipped), as the door's
// liveness cues are tested on them: her genuine clip, and a print of her on a stand.
import { join } from 'node:path';

import { packageRoot } from '../../../vision/models/paths.js';
import type { PersonAccess } from '../decision-policy.js';

export const REPLAY_ATTACK_DIR = join(packageRoot(), '..', 'shared', 'data', 'pad', 'replay-attack');
export const GENUINE_CLIP = 'devel__real__real__client003_session01_webcam_authenticate_controlled_1';
export const PRINT_CLIP = 'devel__attack__fixed__attack_print_client003_session01_highdef_photo_controlled';
/** The frames are 0.8 s apart in the genuine clip (0.5 s in the attack): both are played at 0.8 s, the cues' window (2.4 s) then holds four. */
export const FRAME_GAP_MS = 800;
/** The person both clips show, enrolled. */
export const CLIENT_3: PersonAccess = { id: 'p3', name: 'Client 3', enabled: true, validFromMs: null, validUntilMs: null, groups: [] };
