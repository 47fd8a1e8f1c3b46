/**
 * Host-side preparation of a batch: validation of ids, mask and token types against the config,
 * and position ids (BERT: 0..T-1; RoBERTa: padding_idx+1 onwards, skipping padding tokens).
 */
import { Tensor } from '@symfuse/tensor';
import { ModelInputError } from './errors.js';
import type { EncoderBatch, IntArray } from './types.js';
import type { ValidConfig } from './validate-config.js';

/** A validated batch as host Int32Arrays of length `batch·seqLen`. */
export interface PreparedBatch {
  readonly batch: number;
  readonly seqLen: number;
  readonly ids: Int32Array;
  readonly typeIds: Int32Array;
  readonly positions: Int32Array;
  /** 1 real / 0 padding; undefined when every token is real. */
  readonly mask: Int32Array | undefined;
}

function toInt32(name: string, a: IntArray | Tensor, n: number): Int32Array {
  let arr: IntArray;
  if (a instanceof Tensor) {
    const host = a.backend.readSync(a.storage);
    if (!host) {
      throw new ModelInputError(name, `is a tensor on backend '${a.backend.name}'; pass host arrays or CPU tensors (positions and id checks run on the host)`);
    }
    arr = host as unknown as IntArray;
  } else arr = a;
  if (arr.length !== n) throw new ModelInputError(name, `has ${arr.length} entries; expected batch·seqLen = ${n}`);
  const out = arr instanceof Int32Array ? arr : Int32Array.from(arr as ArrayLike<number>);
  return out;
}

function checkRange(name: string, a: Int32Array, limit: number, field: string, seqLen: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!(v >= 0 && v < limit) || !Number.isInteger(v)) {
      const b = Math.floor(i / seqLen);
      throw new ModelInputError(name, `entry ${i} (sequence ${b}, position ${i - b * seqLen}) is ${v}; expected an integer in [0, ${field}=${limit})`);
    }
  }
}

/**
 * Validates `input` against `config` and computes position ids (HF semantics: RoBERTa's come from
 * `ids != padTokenId`, not from the attention mask, exactly as `create_position_ids_from_input_ids`).
 * @throws ModelInputError naming the input, the offending entry and the allowed range.
 */
export function prepareBatch(config: ValidConfig, input: EncoderBatch | BatchTensors): PreparedBatch {
  const { batch, seqLen } = input;
  if (!Number.isInteger(batch) || batch < 1) throw new ModelInputError('batch', `is ${batch}; expected a positive integer`);
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new ModelInputError('seqLen', `is ${seqLen}; expected a positive integer`);
  const n = batch * seqLen;
  const ids = toInt32('ids', input.ids, n);
  checkRange('ids', ids, config.vocabSize, 'vocabSize', seqLen);
  const typeIds = input.typeIds === undefined ? new Int32Array(n) : toInt32('typeIds', input.typeIds, n);
  if (input.typeIds !== undefined) checkRange('typeIds', typeIds, config.typeVocabSize, 'typeVocabSize', seqLen);
  let mask: Int32Array | undefined;
  if (input.mask !== undefined) {
    mask = toInt32('mask', input.mask, n);
    let all = true;
    for (let i = 0; i < n; i++) {
      const v = mask[i];
      if (v !== 0 && v !== 1) throw new ModelInputError('mask', `entry ${i} is ${v}; expected 1 (real token) or 0 (padding)`);
      if (v === 0) all = false;
    }
    if (all) mask = undefined;
  }
  const positions = new Int32Array(n);
  const maxPos = config.maxPositionEmbeddings;
  if (config.modelType === 'roberta') {
    const pad = config.padTokenId;
    for (let b = 0; b < batch; b++) {
      let count = 0;
      for (let t = 0; t < seqLen; t++) {
        const i = b * seqLen + t;
        positions[i] = ids[i] === pad ? pad : pad + ++count;
      }
      if (pad + count >= maxPos) {
        throw new ModelInputError('seqLen', `sequence ${b} has ${count} non-padding tokens; RoBERTa positions start at padTokenId+1=${pad + 1}, so at most maxPositionEmbeddings−padTokenId−1 = ${maxPos - pad - 1} fit`);
      }
    }
  } else {
    if (seqLen > maxPos) throw new ModelInputError('seqLen', `is ${seqLen}; expected at most maxPositionEmbeddings=${maxPos}`);
    for (let i = 0; i < n; i++) positions[i] = i % seqLen;
  }
  return { batch, seqLen, ids, typeIds, positions, mask };
}

/** A batch given as (CPU) i32 tensors `[B, T]` instead of host arrays. */
export interface BatchTensors {
  readonly ids: Tensor;
  readonly mask?: Tensor;
  readonly typeIds?: Tensor;
  readonly batch: number;
  readonly seqLen: number;
}

/** Accepts `{ids, mask?, typeIds?}` as `[B, T]` tensors, reading B and T from `ids`' shape. */
export function batchFromTensors(ids: Tensor, mask?: Tensor, typeIds?: Tensor): BatchTensors {
  if (ids.rank !== 2) throw new ModelInputError('ids', `has shape [${ids.shape.join(', ')}]; expected [batch, seqLen]`);
  return { ids, mask, typeIds, batch: ids.shape[0], seqLen: ids.shape[1] };
}
