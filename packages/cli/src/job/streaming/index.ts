/**
 * The streaming merge: the alignment/merge pipeline unit by unit (embeddings, each layer, the top),
 * with one unit of each model in memory at a time. `streamingMerge` (models → a sink of merged
 * tensors), `streamingMergeToDir` / `streamingMergeDirs` (→ a model directory), `streamingProblems`
 * (what is supported), and the model sources.
 */
export { streamingMerge, StreamingUnsupportedError, type StreamingMergeRequest, type StreamingMergeResult, type StreamingTimes } from './streaming-merge.js';
export { streamingMergeToDir, streamingMergeDirs, type StreamingMergeToDirRequest, type StreamingMergeToDirResult, type StreamingMergeDirsRequest } from './streaming-merge-dirs.js';
export { streamingProblems, STREAMING_MERGERS, STREAMING_ALIGNER, type StreamingSupportInput } from './support.js';
export { modelFromDir, modelFromWeights, type StreamingModel } from './model-source.js';
export { planUnits, type MergeUnit } from './units.js';
