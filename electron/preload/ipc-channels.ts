// The Electron IPC channels between the preload and the main process: the transport under the contract, not
// the contract itself (whose channels travel as the first argument of `call`). The main process imports this
// map; the preload, which must stay one self-contained file, repeats the names under this map's type, so a
// typo on either side fails the type-check.

/** IPC channel names of the Electron transport. */
export const IPC_CHANNELS = {
  /** `ipcRenderer.invoke(call, channel, request)` → the handler's Result. */
  call: 'lintel:call',
  /** main → renderer: one StreamMessage per send. */
  stream: 'lintel:stream',
  /** renderer → main: the `seq` of a frame message the page has taken, so the next frame may be sent. */
  streamAck: 'lintel:stream-ack',
} as const;

export type IpcChannels = typeof IPC_CHANNELS;
