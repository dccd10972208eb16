// The `camera.uri` setting as the choices of the camera field, and back: the terminal's default (null), a V4L2
// camera with its format, size and frame rate, or a file camera (photos, an animation or a video) by its path.

/** What the camera field shows for a URI. */
export type CameraChoiceValue =
  | { readonly kind: 'default' }
  | { readonly kind: 'v4l2'; readonly devicePath: string; readonly format: string; readonly widthPx: number; readonly heightPx: number; readonly fps: number }
  | { readonly kind: 'file'; readonly path: string; readonly query: string }
  /** Text that is neither; the terminal refuses it on save, with its reason. */
  | { readonly kind: 'other'; readonly text: string };

/** The terminal's defaults for a V4L2 URI without a query (camera-uri.ts). */
const V4L2_DEFAULTS = { format: 'YUYV', widthPx: 640, heightPx: 480, fps: 30 } as const;

export function parseCameraChoice(uri: string | null): CameraChoiceValue {
  if (uri === null || uri.trim() === '') return { kind: 'default' };
  const match = /^(v4l2|file):([^?]*)(?:\?(.*))?$/.exec(uri.trim());
  if (!match) return { kind: 'other', text: uri };
  const [, scheme, path = '', queryText = ''] = match;
  if (scheme === 'file') return { kind: 'file', path: safeDecode(path), query: queryText };
  const query = new URLSearchParams(queryText);
  const number = (key: string, fallback: number): number => {
    const value = Number(query.get(key));
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    kind: 'v4l2',
    devicePath: path,
    format: query.get('format') ?? V4L2_DEFAULTS.format,
    widthPx: number('width', V4L2_DEFAULTS.widthPx),
    heightPx: number('height', V4L2_DEFAULTS.heightPx),
    fps: number('fps', V4L2_DEFAULTS.fps),
  };
}

export function cameraUriOf(choice: CameraChoiceValue): string | null {
  switch (choice.kind) {
    case 'default':
      return null;
    case 'v4l2':
      return `v4l2:${choice.devicePath}?format=${choice.format}&width=${choice.widthPx}&height=${choice.heightPx}&fps=${choice.fps}`;
    case 'file':
      return `file:${choice.path}${choice.query ? `?${choice.query}` : ''}`;
    case 'other':
      return choice.text;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
