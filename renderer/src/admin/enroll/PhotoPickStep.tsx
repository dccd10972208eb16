// Step 1 from photos: choose up to ten photos of the person (JPEG, PNG or WebP), read here and sent as bytes.
import { useEffect, useId, useState, type ChangeEvent, type ReactNode } from 'react';

import { bytesToBase64 } from '../../common/base64.js';
import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS } from '../../contract.js';
import type { PhotoUpload } from './enroll-types.js';

interface ChosenPhoto {
  readonly file: File;
  readonly previewUrl: string;
}

const formatMegabytes = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

export function PhotoPickStep({ onBack, onContinue }: { readonly onBack: () => void; readonly onContinue: (photos: readonly PhotoUpload[]) => void }): ReactNode {
  const inputId = useId();
  const [chosen, setChosen] = useState<readonly ChosenPhoto[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [reading, setReading] = useState(false);

  useEffect(() => () => chosen.forEach((photo) => URL.revokeObjectURL(photo.previewUrl)), [chosen]);

  const onFiles = (event: ChangeEvent<HTMLInputElement>): void => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    const tooBig = files.filter((file) => file.size > MAX_PHOTO_BYTES);
    const fitting = files.filter((file) => file.size <= MAX_PHOTO_BYTES);
    const room = MAX_PHOTOS - chosen.length;
    const problems = [
      tooBig.length > 0 ? `${tooBig.map((file) => file.name).join(', ')}: larger than ${formatMegabytes(MAX_PHOTO_BYTES)}.` : null,
      fitting.length > room ? `At most ${MAX_PHOTOS} photos; the last ${fitting.length - room} were left out.` : null,
    ].filter(Boolean);
    setProblem(problems.length > 0 ? problems.join(' ') : null);
    setChosen([...chosen, ...fitting.slice(0, Math.max(0, room)).map((file) => ({ file, previewUrl: URL.createObjectURL(file) }))]);
  };

  const remove = (photo: ChosenPhoto): void => setChosen(chosen.filter((other) => other !== photo));

  const next = async (): Promise<void> => {
    setReading(true);
    try {
      const photos = await Promise.all(chosen.map(async (photo) => ({ name: photo.file.name.slice(0, 255) || 'photo', dataBase64: bytesToBase64(new Uint8Array(await photo.file.arrayBuffer())) })));
      onContinue(photos);
    } catch {
      setProblem('A photo could not be read. Choose it again.');
    } finally {
      setReading(false);
    }
  };

  return (
    <section className="enroll-photos" aria-label="Enroll from photos">
      <p className="muted">Choose 1 to {MAX_PHOTOS} photos showing only this person's face, well lit, looking at the camera.</p>
      <input id={inputId} className="visually-hidden" type="file" accept="image/jpeg,image/png,image/webp" multiple onChange={onFiles} />
      <label htmlFor={inputId} className="btn btn-primary file-button">
        <Icon name="upload" />
        Choose photos
      </label>
      {problem ? <ErrorNotice error={problem} /> : null}
      {chosen.length > 0 ? (
        <ul className="photo-grid" aria-label="Chosen photos">
          {chosen.map((photo) => (
            <li key={photo.previewUrl} className="photo-tile">
              <img src={photo.previewUrl} alt={photo.file.name} />
              <span className="photo-name">{photo.file.name}</span>
              <button type="button" className="btn btn-small" onClick={() => remove(photo)} aria-label={`Remove ${photo.file.name}`}>
                <Icon name="trash" />
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="button-row">
        <button type="button" className="btn" onClick={onBack}>
          <Icon name="back" />
          Back
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void next()} disabled={chosen.length === 0 || reading}>
          {reading ? 'Reading…' : 'Continue'}
        </button>
      </div>
    </section>
  );
}
