// The renderer's one door to the shared contract (zod-only code in electron/shared/contract): channels,
// wire schemas, stream messages and transport paths. Everything else in the renderer imports from here.
export * from '../../electron/shared/contract/index.js';
