// Choosing photos of a person (JPEG, PNG or WebP, up to ten): each photo is checked by the terminal as soon as it
// is added and shows its verdict beside its thumbnail, so a photo that will not do is replaced before anything is
// typed or enrolled. Photos that are not usable are left out of what Continue hands on.
import { useEffect, useId, useRef, useState, type ChangeEvent, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import { bytesToBase64 } from '../../common/base64.js';
import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, type ResponseOf } from '../../contract.js';
import type { PhotoUpload } from './enroll-types.js';

type Verdict = ResponseOf<'enroll:check-photo'>;

/** A chosen photo: read and checked in the background, keyed by its preview URL. */
interface ChosenPhoto {
  readonly file: File;
  readonly previewUrl: string;
  readonly upload: PhotoUpload | null;
  /** null while the terminal checks it. */
  readonly verdict: Verdict | null;
  /** Why it could not be checked (the terminal unreachable): it is sent anyway and judged at enrollment. */
  readonly uncheckedReason?: string;
}

export const VERDICT_TEXT: Readonly<Record<Verdict['status'], string>> = {
  usable: 'Good',
  'no-face': 'No face found',
  'several-faces': 'Several faces',
  'too-small': 'Face too small',
  'poor-quality': 'Poor quality',
  unreadable: 'Not an image',
};

const formatMegabytes = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** Whether a chosen photo is handed on: usable, or not checkable here (the terminal judges it again). */
const handedOn = (photo: ChosenPhoto): boolean => photo.upload !== null && (photo.verdict?.status === 'usable' || photo.uncheckedReason !== undefined);

export function PhotoPickStep({
  onBack,
  onContinue,
  backLabel = 'Back',
  continueLabel = 'Continue',
}: {
  readonly onBack: () => void;
  readonly onContinue: (photos: readonly PhotoUpload[]) => void;
  readonly backLabel?: string;
  readonly continueLabel?: string;
}): ReactNode {
  const client = useClient();
  const inputId = useId();
  const [chosen, setChosen] = useState<readonly ChosenPhoto[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const urls = useRef(new Set<string>());

  // Object URLs live as long as their photo is listed, and all go with the screen.
  useEffect(() => {
    const all = urls.current;
    return () => all.forEach((url) => URL.revokeObjectURL(url));
  }, []);

  const update = (previewUrl: string, change: Partial<ChosenPhoto>): void => setChosen((photos) => photos.map((photo) => (photo.previewUrl === previewUrl ? { ...photo, ...change } : photo)));

  const check = async (photo: ChosenPhoto): Promise<void> => {
    let upload: PhotoUpload;
    try {
      upload = { name: photo.file.name.slice(0, 255) || 'photo', dataBase64: bytesToBase64(new Uint8Array(await photo.file.arrayBuffer())) };
    } catch {
      update(photo.previewUrl, { verdict: { file: photo.file.name, status: 'unreadable', detail: 'the file could not be read in this browser' } });
      return;
    }
    const result = await client['enroll:check-photo']({ photo: upload });
    if (result.ok) update(photo.previewUrl, { upload, verdict: result.value });
    else update(photo.previewUrl, { upload, verdict: null, uncheckedReason: result.error.message });
  };

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
    const added = fitting.slice(0, Math.max(0, room)).map((file): ChosenPhoto => ({ file, previewUrl: URL.createObjectURL(file), upload: null, verdict: null }));
    added.forEach((photo) => urls.current.add(photo.previewUrl));
    setChosen([...chosen, ...added]);
    for (const photo of added) void check(photo);
  };

  const remove = (photo: ChosenPhoto): void => {
    setChosen(chosen.filter((other) => other !== photo));
    URL.revokeObjectURL(photo.previewUrl);
    urls.current.delete(photo.previewUrl);
  };

  const checking = chosen.filter((photo) => photo.verdict === null && photo.uncheckedReason === undefined).length;
  const usable = chosen.filter(handedOn);
  const leftOut = chosen.length - checking - usable.length;

  return (
    <section className="enroll-photos" aria-label="Photos of the person">
      <p className="muted">Choose 1 to {MAX_PHOTOS} photos showing only this person's face, well lit, looking at the camera. Each photo is checked as it is added.</p>
      <input id={inputId} className="visually-hidden" type="file" accept="image/jpeg,image/png,image/webp" multiple onChange={onFiles} />
      <label htmlFor={inputId} className="btn btn-primary file-button">
        <Icon name="upload" />
        Choose photos
      </label>
      {problem ? <ErrorNotice error={problem} /> : null}
      {chosen.length > 0 ? (
        <ul className="photo-grid" aria-label="Chosen photos">
          {chosen.map((photo) => {
            const verdict = photo.verdict;
            const good = verdict?.status === 'usable';
            return (
              <li key={photo.previewUrl} className={`photo-tile ${verdict && !good ? 'photo-tile-bad' : ''}`} aria-label={photo.file.name}>
                {verdict?.status === 'unreadable' ? (
                  <span className="photo-missing" role="img" aria-label={`${photo.file.name} (not an image)`}>
                    <Icon name="warning" />
                  </span>
                ) : (
                  <img src={photo.previewUrl} alt={photo.file.name} />
                )}
                <span className="photo-name">{photo.file.name}</span>
                {verdict ? (
                  <span className={good ? 'badge badge-ok' : 'badge badge-bad'} title={verdict.detail}>
                    <Icon name={good ? 'check' : 'cross'} />
                    {VERDICT_TEXT[verdict.status]}
                  </span>
                ) : photo.uncheckedReason ? (
                  <span className="badge" title={photo.uncheckedReason}>
                    Not checked
                  </span>
                ) : (
                  <span className="badge" role="status">
                    <Icon name="clock" />
                    Checking…
                  </span>
                )}
                {verdict && !good ? <span className="photo-detail">{verdict.detail}</span> : null}
                <button type="button" className="btn btn-small" onClick={() => remove(photo)} aria-label={`Remove ${photo.file.name}`}>
                  <Icon name="trash" />
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      {leftOut > 0 && usable.length > 0 ? (
        <p className="muted" role="status">
          {leftOut} photo{leftOut === 1 ? '' : 's'} cannot be used and will be left out.
        </p>
      ) : null}
      {chosen.length > 0 && checking === 0 && usable.length === 0 ? <ErrorNotice error="None of these photos can be used. Choose clearer photos of the face." /> : null}
      <div className="button-row">
        <button type="button" className="btn" onClick={onBack}>
          <Icon name="back" />
          {backLabel}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => onContinue(usable.flatMap((photo) => (photo.upload ? [photo.upload] : [])))} disabled={usable.length === 0 || checking > 0}>
          {checking > 0 ? 'Checking…' : continueLabel}
        </button>
      </div>
    </section>
  );
}
