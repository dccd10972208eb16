// Words of the System screen's liveness card for the passive cue the site trained on its own recordings.
import type { ResponseOf } from '../../contract.js';
import { formatDateTime } from '../../common/dates.js';

/** The installed cue as system:get carries it. */
export type TrainedCueInfo = NonNullable<NonNullable<ResponseOf<'system:get'>['health']['liveness']>['trainedCue']>;

const percent = (rate: number): string => `${(100 * rate).toFixed(1).replace(/\.0$/, '')} %`;

/** One line: when it was trained, on how many clips, what it did on them out of fold, and what to expect on other people. */
export function trainedCueText(cue: TrainedCueInfo): string {
  const trainedAtMs = Date.parse(cue.trainedAt);
  const when = Number.isFinite(trainedAtMs) ? formatDateTime(trainedAtMs) : cue.trainedAt;
  const { bpcer, apcerWorst, apcerWorstSpecies } = cue.outOfFold;
  return (
    `Trained ${when} on ${cue.clips.toLocaleString('en-GB')} clips of this site; on them (out of fold) it refused ${percent(bpcer)} of genuine ` +
    `faces and let through at most ${percent(apcerWorst)} of one attack kind (${apcerWorstSpecies.replace('/', ', ')})` +
    (cue.heldOut
      ? `; on people it was not trained on, expect ${percent(cue.heldOut.bpcer)} of genuine faces refused and at most ${percent(cue.heldOut.apcerWorst)} of one attack kind let through (estimated on its ${cue.heldOut.people} people)`
      : '')
  );
}
