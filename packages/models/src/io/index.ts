/** safetensors: lazy reading (single file or sharded), atomic writing (whole or tensor by tensor), header validation. */
export { decodeTensorBytes, shapeSize, type DecodedArray, type DecodedTensor, type DecodeOptions } from './decode.js';
export { dtypeByteSize, isSafetensorsDtype, SAFETENSORS_DTYPES, type SafetensorsDtype } from './dtypes.js';
export { encodeTensorValues, type TensorValues } from './encode.js';
export { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './half.js';
export { MAX_HEADER_BYTES, parseSafetensorsHeader, type ParseHeaderOptions, type SafetensorsHeader, type TensorInfo } from './header.js';
export { openSafetensors, readSafetensorsBuffer, type SafetensorsReader, type TensorSummary } from './reader.js';
export { SafetensorsError } from './safetensors-error.js';
export {
  INDEX_FILE_NAME,
  openCheckpoint,
  parseByteSize,
  removeStaleCheckpointFiles,
  shardFileNames,
  shardGroups,
  SINGLE_FILE_NAME,
  writeShardedSafetensors,
  writeShardIndex,
  type CheckpointReader,
  type ShardedWriteResult,
  type WriteShardedOptions,
} from './sharded.js';
export { StreamingSafetensorsWriter, type StreamingWriterOptions } from './streaming-writer.js';
export { StreamingCheckpointWriter, type StreamingCheckpointOptions } from './streaming-checkpoint.js';
export {
  layoutSafetensors,
  planSafetensors,
  serializeSafetensors,
  writeFileAtomic,
  writeSafetensors,
  type PlacedEntry,
  type SafetensorsEntryLayout,
  type SafetensorsLayout,
  type TensorEntry,
  type TensorsToWrite,
  type TensorToWrite,
  type WriteSafetensorsOptions,
} from './writer.js';
