// The terminal itself: its name, its camera, and the recognition and liveness models.
import { useEffect, useState, type ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { TextField } from '../../common/TextField.js';
import { Toggle } from '../../common/Toggle.js';
import { CameraField } from './CameraField.js';
import { ModelSelect } from './ModelSelect.js';
import type { SectionProps } from './section-props.js';

/** Folders typed one after another, separated by semicolons. */
const parseFolders = (text: string): string[] =>
  text
    .split(';')
    .map((folder) => folder.trim())
    .filter((folder) => folder !== '');

/** The `import.roots` setting as one line of folders; its own text, so a semicolon being typed stays. */
function ImportFolders({ draft, change, issue }: SectionProps): ReactNode {
  const roots = draft['import.roots'];
  const [text, setText] = useState(roots.join('; '));
  // A reset or a save from elsewhere replaces the text; typing that parses to the same folders keeps it.
  useEffect(() => {
    setText((current) => (parseFolders(current).join('\n') === roots.join('\n') ? current : roots.join('; ')));
  }, [roots]);
  const error = issue(['import.roots']) ?? roots.map((_, index) => issue(['import.roots', index])).find((found) => found !== undefined);
  return (
    <TextField
      label="Import folders"
      value={text}
      onChange={(value) => {
        setText(value);
        change('import.roots', parseFolders(value));
      }}
      maxLength={16 * 4097}
      placeholder="Only the data folder's imports/"
      error={error}
      hint="Folders bulk imports may read besides imports/ in the data folder, as absolute paths separated by semicolons, e.g. /media/usb. Files anywhere else are refused."
    />
  );
}

export function TerminalSettings({ draft, change, issue }: SectionProps): ReactNode {
  return (
    <>
      <fieldset className="settings-section">
        <legend>Terminal</legend>
        <TextField label="Terminal name" value={draft['terminal.name']} onChange={(value) => change('terminal.name', value)} maxLength={64} error={issue(['terminal.name'])} hint="Shown on the door screen." />
        <CameraField value={draft['camera.uri']} onChange={(value) => change('camera.uri', value)} error={issue(['camera.uri'])} />
        <ImportFolders draft={draft} change={change} issue={issue} />
        <Toggle
          label="Diagnostics on the door screen"
          checked={draft['door.showDiagnostics']}
          onChange={(on) => change('door.showDiagnostics', on)}
          onText="Shown"
          offText="Hidden"
          hint="Track numbers beside the faces, where the models run, frames per second and latency, for setting up the terminal. Hidden, people at the door see only what concerns them."
        />
      </fieldset>
      <fieldset className="settings-section">
        <legend>Recognition</legend>
        <NumberField
          label="Target false identifications per search"
          value={draft['recognition.targetFpir']}
          onChange={(value) => change('recognition.targetFpir', value ?? Number.NaN)}
          error={issue(['recognition.targetFpir'])}
          hint="How often a stranger may be taken for someone enrolled, per face searched, from 0.000001 to 0.1 (0.001: one in 1,000). The threshold follows it and the number of people enrolled (see System). Lower: fewer mix-ups, more “not recognised”."
        />
        <NumberField
          label="Identification threshold override"
          value={draft['recognition.identifySimilarity']}
          onChange={(value) => change('recognition.identifySimilarity', value)}
          allowEmpty
          placeholder="Follows the gallery"
          error={issue(['recognition.identifySimilarity'])}
          hint="A fixed cosine similarity from −1 to 1 a face needs to count as someone, instead of the threshold that follows the target above; shown as an override under System. Empty: follow the gallery."
        />
        <ModelSelect
          label="Extractor model"
          role="extractor"
          value={draft['recognition.extractorModelId']}
          onChange={(value) => change('recognition.extractorModelId', value)}
          emptyText="Default"
          error={issue(['recognition.extractorModelId'])}
          hint="The recogniser. Default: the best one this terminal has (models added under System count). Changing it rebuilds every template (see System)."
        />
        <ModelSelect
          label="Passive liveness model"
          role="liveness"
          value={draft['liveness.modelId']}
          onChange={(value) => change('liveness.modelId', value)}
          emptyText="The manifest's passive check"
          error={issue(['liveness.modelId'])}
          hint="The model of the passive check (see Liveness): the liveness models this terminal has, built in or added under System. Default: MiniFASNet once added; where none runs, the challenge stands in."
        />
      </fieldset>
    </>
  );
}
