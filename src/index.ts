// review-kb as a library: build a KB from reviews, read and check kb.json, render every output, compare two runs.
export { build, type BuildOptions, type BuildResult } from './pipeline.js';
export { readKb, renderableKb, serializeKb, serializeKbChunks, validateKb } from './kb.js';
export { diffKb, formatDiff, renderAll, renderEach, type KbDiff, type RenderedFile, type RenderOptions } from './render/index.js';
export { loadTriage, parseTriage, type Triage, type TriageEntry, type TriageStatus } from './render/index.js';
export { writeOutputs, type OutputFile } from './output/outdir.js';
export type * from './model.js';
