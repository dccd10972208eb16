// The shared contract, for the renderer, the preload, the browser host and the main process.
export * from './channels.js';
export * from './faces.js';
export * from './handler.js';
export * from './result.js';
export * from './schemas.js';
export * from './streams.js';
export * from './transport.js';
