import { headPoseDeg } from '../../quality/face-quality.js';
import { meshPxOf, type MeshObservation } from './mesh-observation.js';

/**
 * A turn direction as the PERSON at the door sees it: 'left' is the person's own left. The camera faces the
 * person, so in the raw camera frame their left is the image's right: turning left moves the nose toward the
 * image's right, which headPoseDeg reports as a growing (positive) yaw. The door screen shows the camera
 * mirrored, so on the screen the face turns toward the screen's left, the same side as a left arrow.
 */
export type TurnDirection = 'left' | 'right';

/** How far a head has turned toward the asked direction. */
export interface HeadTurnProgress {
  /** Yaw of this frame, degrees, headPoseDeg's sign (positive = turned toward the raw image's right). */
  readonly yawDeg: number;
  /** Turn from the starting yaw toward `direction`, degrees; negative when turned the other way. */
  readonly turnedDeg: number;
  /** True once turnedDeg has reached the minimum turn. */
  readonly done: boolean;
  readonly direction: TurnDirection;
}

/** Yaw change (degrees, headPoseDeg's sign) that a turn toward `direction` produces: +1 for left, −1 for right. */
export function yawSignOf(direction: TurnDirection): 1 | -1 {
  return direction === 'left' ? 1 : -1;
}

/** Head yaw of one observation, degrees, from the mesh (headPoseDeg: positive = toward the raw image's right). */
export function yawDegOf(observation: MeshObservation): number {
  return headPoseDeg(meshPxOf(observation)).yawDeg;
}

/** Options of HeadTurnTracker. */
export interface HeadTurnOptions {
  readonly direction: TurnDirection;
  /** Turn that counts as done, degrees; default 15. */
  readonly minTurnDeg?: number;
  /** Frames whose median yaw is the starting yaw; default 2 (the mesh yaw jitters by a degree or two). */
  readonly startFrames?: number;
}

/** Follows one face's yaw from its starting pose toward an asked direction. */
export class HeadTurnTracker {
  readonly direction: TurnDirection;
  readonly minTurnDeg: number;
  private readonly startFrames: number;
  private readonly startYawsDeg: number[] = [];
  private startYawDeg: number | undefined;
  private maxTurnedDeg = -Infinity;
  private minTurnedDeg = Infinity;

  constructor(options: HeadTurnOptions) {
    this.direction = options.direction;
    this.minTurnDeg = options.minTurnDeg ?? 15;
    this.startFrames = Math.max(1, options.startFrames ?? 2);
  }

  /** Adds one frame; returns the progress measured on it. */
  push(observation: MeshObservation): HeadTurnProgress {
    const yawDeg = yawDegOf(observation);
    if (this.startYawDeg === undefined) {
      this.startYawsDeg.push(yawDeg);
      if (this.startYawsDeg.length >= this.startFrames) this.startYawDeg = median(this.startYawsDeg);
    }
    const startDeg = this.startYawDeg ?? median(this.startYawsDeg);
    const turnedDeg = (yawDeg - startDeg) * yawSignOf(this.direction);
    this.maxTurnedDeg = Math.max(this.maxTurnedDeg, turnedDeg);
    this.minTurnedDeg = Math.min(this.minTurnedDeg, turnedDeg);
    return { yawDeg, turnedDeg, done: this.startYawDeg !== undefined && turnedDeg >= this.minTurnDeg, direction: this.direction };
  }

  /** The furthest turn toward the asked direction so far, degrees (−Infinity before any frame). */
  get furthestTurnDeg(): number {
    return this.maxTurnedDeg;
  }

  /** The furthest turn the other way so far, degrees, as a positive number (0 when none). */
  get furthestWrongTurnDeg(): number {
    return Math.max(0, -this.minTurnedDeg);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
