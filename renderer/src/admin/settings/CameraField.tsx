// The camera setting as choices: the terminal's default, each V4L2 camera it found (by the name its driver gives)
// with the formats and sizes it offers, or photos / a video on the terminal by path. The terminal opens the camera
// when the setting is saved and refuses one that gives no picture, saying why.
import type { ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { SelectField, type SelectChoice } from '../../common/SelectField.js';
import { TextField } from '../../common/TextField.js';
import { cameraUriOf, parseCameraChoice, type CameraChoiceValue } from './camera-choice.js';
import { useHardware, type CameraChoice } from './hardware.js';

const FORMAT_TEXT: Readonly<Record<string, string>> = { NV12: 'NV12 (the ISP’s own)', YUYV: 'YUYV (uncompressed)', MJPG: 'MJPEG (compressed, USB cameras)' };

export interface CameraFieldProps {
  readonly value: string | null;
  readonly onChange: (value: string | null) => void;
  readonly error?: string | undefined;
}

export function CameraField({ value, onChange, error }: CameraFieldProps): ReactNode {
  const hardware = useHardware();
  const choice = parseCameraChoice(value);
  const cameras = (hardware?.cameras ?? []).filter((camera) => camera.captures);
  const set = (next: CameraChoiceValue): void => onChange(cameraUriOf(next));

  const sourceValue = choice.kind === 'v4l2' ? `v4l2:${choice.devicePath}` : choice.kind;
  const sources: SelectChoice[] = [{ value: 'default', label: "The terminal's default camera" }, ...cameras.map((camera) => ({ value: `v4l2:${camera.devicePath}`, label: `${camera.name} (${camera.devicePath})` }))];
  // A device not found now stays a choice: the form never changes a setting silently.
  if (choice.kind === 'v4l2' && !cameras.some((camera) => camera.devicePath === choice.devicePath)) sources.push({ value: sourceValue, label: `${choice.devicePath} (not found now)` });
  sources.push({ value: 'file', label: 'Photos or a video on the terminal' });
  if (choice.kind === 'other') sources.push({ value: 'other', label: `${choice.text} (not a camera)` });

  const pickSource = (picked: string): void => {
    if (picked === 'default') return set({ kind: 'default' });
    if (picked === 'file') return set({ kind: 'file', path: choice.kind === 'file' ? choice.path : '', query: choice.kind === 'file' ? choice.query : '' });
    const camera = cameras.find((found) => `v4l2:${found.devicePath}` === picked);
    if (camera) set(firstMode(camera));
  };

  const noCameraHint = hardware === null ? 'The terminal has not listed its cameras.' : cameras.length === 0 ? 'The terminal found no V4L2 camera.' : null;
  return (
    <div className="camera-field">
      <SelectField
        label="Camera"
        value={sourceValue}
        choices={sources}
        onChange={pickSource}
        // The refusal shows once: at the path or the picture size where those are shown.
        error={choice.kind === 'default' || choice.kind === 'other' ? error : undefined}
        hint={
          <>
            The camera the door watches; it is tried when saved and refused if it gives no picture.{noCameraHint ? ` ${noCameraHint}` : ''}
          </>
        }
      />
      {choice.kind === 'v4l2' ? <V4l2Mode choice={choice} camera={cameras.find((camera) => camera.devicePath === choice.devicePath)} onChange={set} error={error} /> : null}
      {choice.kind === 'file' ? (
        <TextField
          label="Photos or video"
          value={choice.path}
          onChange={(path) => set({ ...choice, path })}
          maxLength={4000}
          placeholder="/media/usb/door-test"
          error={error}
          hint="A folder of photos (played in name order), an animated GIF or WebP, or a video, as an absolute path on the terminal: for demonstrations and tests."
        />
      ) : null}
    </div>
  );
}

/** The format, size and frame rate of a V4L2 camera, from what it offers where the terminal could ask it. */
function V4l2Mode({ choice, camera, onChange, error }: { readonly choice: Extract<CameraChoiceValue, { kind: 'v4l2' }>; readonly camera: CameraChoice | undefined; readonly onChange: (choice: CameraChoiceValue) => void; readonly error: string | undefined }): ReactNode {
  const formats = camera?.formats ?? [];
  const format = formats.find((offered) => offered.format === choice.format);
  const formatChoices: SelectChoice[] = formats.map((offered) => ({ value: offered.format, label: FORMAT_TEXT[offered.format] ?? offered.format }));
  if (!format) formatChoices.push({ value: choice.format, label: `${choice.format}${camera ? ' (not offered)' : ''}` });
  const sizeValue = `${choice.widthPx}x${choice.heightPx}`;
  const sizeChoices: SelectChoice[] = (format?.sizes ?? []).map((size) => ({ value: `${size.widthPx}x${size.heightPx}`, label: `${size.widthPx} × ${size.heightPx}` }));
  if (!sizeChoices.some((size) => size.value === sizeValue)) sizeChoices.push({ value: sizeValue, label: `${choice.widthPx} × ${choice.heightPx}${format && format.sizes.length > 0 ? ' (not offered)' : ''}` });
  return (
    <div className="field-grid">
      <SelectField
        label="Picture format"
        value={choice.format}
        choices={formatChoices}
        onChange={(picked) => {
          const offered = formats.find((candidate) => candidate.format === picked);
          const size = offered?.sizes.find((candidate) => candidate.widthPx === choice.widthPx && candidate.heightPx === choice.heightPx) ?? largestUpTo720(offered?.sizes ?? []);
          onChange({ ...choice, format: picked, ...(size ? { widthPx: size.widthPx, heightPx: size.heightPx } : {}) });
        }}
      />
      <SelectField
        label="Picture size"
        value={sizeValue}
        choices={sizeChoices}
        onChange={(picked) => {
          const [widthPx, heightPx] = picked.split('x').map(Number);
          if (widthPx && heightPx) onChange({ ...choice, widthPx, heightPx });
        }}
        error={error}
        hint="1280 × 720 is plenty for faces up to 2 m away; larger pictures cost time on every frame."
      />
      <NumberField label="Frame rate" unit="fps" value={choice.fps} onChange={(fps) => onChange({ ...choice, fps: fps !== null && Number.isInteger(fps) && fps > 0 ? fps : choice.fps })} hint="Frames a second the camera is asked for." />
    </div>
  );
}

/** A new camera's mode: 1280 × 720 (or the largest size below it) in the first format it offers. */
function firstMode(camera: CameraChoice): CameraChoiceValue {
  const preferred = camera.formats.find((format) => format.format === 'NV12') ?? camera.formats.find((format) => format.format === 'YUYV') ?? camera.formats[0];
  const size = largestUpTo720(preferred?.sizes ?? []) ?? { widthPx: 640, heightPx: 480 };
  return { kind: 'v4l2', devicePath: camera.devicePath, format: preferred?.format ?? 'YUYV', widthPx: size.widthPx, heightPx: size.heightPx, fps: 30 };
}

function largestUpTo720(sizes: readonly { readonly widthPx: number; readonly heightPx: number }[]): { widthPx: number; heightPx: number } | undefined {
  const fitting = sizes.filter((size) => size.heightPx <= 720);
  const pool = fitting.length > 0 ? fitting : sizes;
  return [...pool].sort((a, b) => b.widthPx * b.heightPx - a.widthPx * a.heightPx)[0];
}
