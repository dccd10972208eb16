// How the door decides: how sure, how good a view of the face, how often.
import type { ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { TextField } from '../../common/TextField.js';
import type { Settings } from '../../store/types.js';
import type { SectionProps } from './section-props.js';

type Policy = Settings['access.policy'];
type NumberKey = Exclude<{ [K in keyof Policy]-?: Policy[K] extends number ? K : never }[keyof Policy], undefined>;

const FIELDS: readonly { readonly key: NumberKey; readonly label: string; readonly unit?: string; readonly scale?: number; readonly hint: string }[] = [
  { key: 'framesToAgree', label: 'Frames to agree', hint: 'Frames that must name the same person (with nobody else named in between) before the door opens.' },
  { key: 'unknownAfterFrames', label: 'Unknown after', unit: 'frames', hint: 'Usable frames without a match before “Face not recognised”.' },
  { key: 'lowQualityAfterMs', label: 'Poor view after', unit: 's', scale: 1_000, hint: 'How long a face may stay unusable before “Could not see your face clearly”.' },
  { key: 'cooldownMs', label: 'Cooldown', unit: 's', scale: 1_000, hint: 'How long after a decision the same face is not decided again.' },
  { key: 'minInterOcularPx', label: 'Smallest eye distance', unit: 'px', hint: 'Faces smaller than this are asked to come closer.' },
  { key: 'maxAbsYawDeg', label: 'Largest head turn', unit: '°', hint: 'Left or right.' },
  { key: 'maxAbsPitchDeg', label: 'Largest head tilt', unit: '°', hint: 'Up or down.' },
  { key: 'minSharpness', label: 'Least sharpness', hint: 'Blurrier frames are not used.' },
  { key: 'minBrightness', label: 'Least brightness', unit: '0–255', hint: 'Darker faces are asked for more light.' },
  { key: 'maxBrightness', label: 'Most brightness', unit: '0–255', hint: 'Brighter faces are too bright.' },
];

export function AccessPolicySettings({ draft, change, issue }: SectionProps): ReactNode {
  const policy = draft['access.policy'];
  const set = <K extends keyof Policy>(key: K, value: Policy[K]): void => change('access.policy', { ...policy, [key]: value });
  return (
    <fieldset className="settings-section">
      <legend>Access decisions</legend>
      <div className="field-grid">
        {FIELDS.map((field) => (
          <NumberField
            key={field.key}
            label={field.label}
            unit={field.unit}
            scale={field.scale}
            value={policy[field.key]}
            onChange={(value) => set(field.key, value ?? Number.NaN)}
            hint={field.hint}
            error={issue(['access.policy', field.key], field.scale, field.unit)}
          />
        ))}
        <TextField
          label="Time zone of the schedules"
          value={policy.timeZone ?? ''}
          onChange={(value) => {
            const { timeZone: _old, ...rest } = policy;
            change('access.policy', value.trim() === '' ? rest : { ...rest, timeZone: value });
          }}
          maxLength={64}
          placeholder="Europe/Berlin"
          hint="An IANA time zone name. Empty: the terminal's own."
          error={issue(['access.policy', 'timeZone'])}
        />
      </div>
    </fieldset>
  );
}
