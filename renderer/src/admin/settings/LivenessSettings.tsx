// Liveness: which checks a grant needs — the passive model's score, the challenge (turn the head, blink), both
// or none — for the whole door, per group, and during weekly hours (e.g. the challenge only after hours), and
// how the challenge runs. Resolution: the first schedule in force, else the person's groups, else the door's.
import type { ReactNode } from 'react';

import { Notice } from '../../common/ErrorNotice.js';
import { NumberField } from '../../common/NumberField.js';
import { asSentence } from '../../common/sentence.js';
import { useLintel } from '../../store/store.js';
import { LIVENESS_MODE_TEXT } from '../../wording/wording.js';
import { useKnownGroups } from '../use-known-groups.js';
import { LivenessPolicyFields } from './LivenessPolicyFields.js';
import type { SectionProps } from './section-props.js';

export function LivenessSettings({ draft, change, issue }: SectionProps): ReactNode {
  const health = useLintel((state) => state.health);
  const knownGroups = useKnownGroups();
  const policy = draft['access.policy'];
  const liveness = policy.liveness;
  const defaultMode = health?.liveness && liveness.mode === null ? health.liveness.mode : undefined;
  const groupNames = [...new Set([...knownGroups, ...Object.keys(policy.schedules), ...Object.keys(liveness.groups)])].sort();

  return (
    <fieldset className="settings-section">
      <legend>Liveness</legend>
      <p className="field-hint">
        Stops a photo or a screen from opening the door. Passive: a model scores each face and can only refuse. Challenge: the door asks for a
        short head turn (or a blink) and checks that the face moves like a head, not like a flat picture.
      </p>
      {health?.liveness?.passiveUnavailable ? (
        <Notice tone="warning">
          <strong>The passive check is not running</strong>
          <span>{asSentence(health.liveness.passiveUnavailable)}.</span>
        </Notice>
      ) : null}
      {health?.liveness?.trainedCue ? (
        <p className="field-hint">
          A check trained on this site&apos;s own recordings is installed: where the passive check is in force it decides instead of the liveness
          model&apos;s own threshold, refusing faces it judges a photo or a screen. Turn on &ldquo;Refuse faces as still as a photo&rdquo; below where
          the door runs the passive check alone. See System › Liveness.
        </p>
      ) : null}
      <LivenessPolicyFields
        liveness={liveness}
        onChange={(next) => change('access.policy', { ...policy, liveness: next })}
        groupNames={groupNames}
        modeLabel="At this door"
        inheritLabel={defaultMode ? `Default (${LIVENESS_MODE_TEXT[defaultMode]})` : 'Default'}
        issue={(path, scale, unit) => issue(['access.policy', 'liveness', ...path], scale, unit)}
        extraFields={
          <NumberField
            label="Least passive score"
            value={policy.minLiveness}
            onChange={(value) => change('access.policy', { ...policy, minLiveness: value })}
            allowEmpty
            placeholder="Model's"
            hint="0 to 1, the mean over the face's frames. Empty: the passive model's own threshold (else 0.5)."
            error={issue(['access.policy', 'minLiveness'])}
          />
        }
      />
    </fieldset>
  );
}
