// Camera failures that are not a single failed system call (those are SystemCallError, from ../libc/).

/** Why a V4L2 camera could not be used. */
export type V4l2ErrorCode =
  /** Options were out of range (size, buffer count, fourcc). */
  | 'INVALID_OPTIONS'
  /** The node does not capture video (e.g. rkisp statistics/params nodes, UVC metadata nodes). */
  | 'NOT_A_CAPTURE_DEVICE'
  /** The node has no streaming (mmap) I/O. */
  | 'NO_STREAMING'
  /** The driver replaced the requested pixel format with another one. */
  | 'FORMAT_NOT_SUPPORTED'
  /** The format needs more than one memory plane (e.g. NM12); only single-plane formats are captured. */
  | 'UNSUPPORTED_PLANE_COUNT'
  /** The driver granted no buffers. */
  | 'NO_BUFFERS'
  /** No frame arrived within the timeout. */
  | 'TIMEOUT'
  /** The camera was closed (possibly while waiting for a frame). */
  | 'CLOSED'
  /** nextFrame() was called while another call was still waiting. */
  | 'BUSY'
  /** poll reported an error but no buffer could be dequeued (stream stopped or the queue failed). */
  | 'STREAM_ERROR';

/** A V4L2 camera failure with a code and the device it concerns. */
export class V4l2Error extends Error {
  override readonly name = 'V4l2Error';

  constructor(
    readonly code: V4l2ErrorCode,
    /** Device node, e.g. `/dev/video0`. */
    readonly devicePath: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${devicePath}: ${message}`, options);
  }
}
