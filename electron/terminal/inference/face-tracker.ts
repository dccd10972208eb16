import { iou, type BoxNorm } from '../../vision/geometry/point.js';

/** A face followed across frames. */
export interface Track<T> {
  /** Stable for as long as the face stays in view; never reused. */
  readonly id: number;
  boxNorm: BoxNorm;
  /** The latest observation of this face. */
  face: T;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Frames in a row this track was not matched. */
  missedFrames: number;
  /** Frames this track was matched in, the first included. */
  hits: number;
  /** The track's latest observations, newest last (at most `identityFrames`): what a new face's identity is checked against. */
  recent: T[];
}

/** Options of `FaceTracker`. */
export interface FaceTrackerOptions<T = unknown> {
  /** Minimum IoU between a track's box and a face to continue the track; default 0.3. */
  readonly minIou?: number;
  /** A track not seen for this many frames in a row ends; default 5. */
  readonly maxMissedFrames?: number;
  /**
   * Whether two observations show the same person (true), another person (false) or cannot tell (undefined,
   * e.g. no template). A face that overlaps a track but is another person than every one of the track's
   * recent observations it can be compared with starts a new track: one track, one identity. Default: box
   * overlap alone.
   */
  readonly sameFace?: (earlier: T, current: T) => boolean | undefined;
  /** How many of a track's latest observations a face is compared with; default 3. */
  readonly identityFrames?: number;
}

/**
 * Follows faces across frames by box overlap: each frame's faces are matched to existing tracks greedily,
 * highest IoU first; unmatched faces start tracks, tracks unmatched for too long end. With `sameFace`, a face
 * that is someone else than the track's person (a stranger stepping into an enrolled person's place) does not
 * continue the track. Recognition results are kept per track by the caller, keyed by `id`.
 */
export class FaceTracker<T extends { readonly boxNorm: BoxNorm }> {
  private readonly tracks = new Map<number, Track<T>>();
  private nextId = 1;
  private readonly minIou: number;
  private readonly maxMissedFrames: number;
  private readonly identityFrames: number;

  constructor(private readonly options: FaceTrackerOptions<T> = {}) {
    this.minIou = options.minIou ?? 0.3;
    this.maxMissedFrames = options.maxMissedFrames ?? 5;
    this.identityFrames = Math.max(1, options.identityFrames ?? 3);
  }

  /** Live tracks, oldest first. */
  get active(): Track<T>[] {
    return [...this.tracks.values()];
  }

  /**
   * Takes one frame's faces; returns, for each face in input order, its track, and the tracks that ended.
   */
  update(faces: readonly T[], timestampMs: number): { tracks: Track<T>[]; ended: Track<T>[] } {
    const candidates: { trackId: number; faceIndex: number; overlap: number }[] = [];
    for (const track of this.tracks.values()) {
      faces.forEach((face, faceIndex) => {
        const overlap = iou(track.boxNorm, face.boxNorm);
        if (overlap >= this.minIou && !this.anotherPerson(track, face)) candidates.push({ trackId: track.id, faceIndex, overlap });
      });
    }
    candidates.sort((a, b) => b.overlap - a.overlap);
    const assigned = new Map<number, Track<T>>();
    const usedTracks = new Set<number>();
    for (const { trackId, faceIndex } of candidates) {
      if (assigned.has(faceIndex) || usedTracks.has(trackId)) continue;
      const track = this.tracks.get(trackId) as Track<T>;
      const face = faces[faceIndex] as T;
      Object.assign(track, { boxNorm: face.boxNorm, face, lastSeenMs: timestampMs, missedFrames: 0, hits: track.hits + 1, recent: [...track.recent, face].slice(-this.identityFrames) });
      assigned.set(faceIndex, track);
      usedTracks.add(trackId);
    }
    const ended: Track<T>[] = [];
    for (const track of this.tracks.values()) {
      if (usedTracks.has(track.id)) continue;
      track.missedFrames++;
      if (track.missedFrames > this.maxMissedFrames) {
        this.tracks.delete(track.id);
        ended.push(track);
      }
    }
    const tracks = faces.map((face, faceIndex) => {
      const existing = assigned.get(faceIndex);
      if (existing) return existing;
      const track: Track<T> = { id: this.nextId++, boxNorm: face.boxNorm, face, firstSeenMs: timestampMs, lastSeenMs: timestampMs, missedFrames: 0, hits: 1, recent: [face] };
      this.tracks.set(track.id, track);
      return track;
    });
    return { tracks, ended };
  }

  /**
   * Whether a face is another person than the track's: some recent observation can be compared with it and
   * none is the same person. One frame that cannot tell (no template) or that agrees keeps the track.
   */
  private anotherPerson(track: Track<T>, face: T): boolean {
    const { sameFace } = this.options;
    if (!sameFace) return false;
    let differs = false;
    for (const earlier of track.recent) {
      const same = sameFace(earlier, face);
      if (same === true) return false;
      if (same === false) differs = true;
    }
    return differs;
  }

  /** Ends every track (e.g. when the camera restarts). */
  clear(): Track<T>[] {
    const ended = [...this.tracks.values()];
    this.tracks.clear();
    return ended;
  }
}
