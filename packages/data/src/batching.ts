/**
 * Token-id level batching: packing documents into fixed-length MLM blocks and padding variable-length
 * sequences into dense `[B, T]` batches. Tokenisation happens elsewhere: pass token ids, or texts plus an
 * `encode(text) => number[]` function.
 */

/** Special ids framing an MLM block. */
export interface PackOptions {
  /** `[CLS]` (or `<s>`) id, first position of every block. */
  cls: number;
  /** `[SEP]` (or `</s>`) id, last position of every block and separator between documents. */
  sep: number;
  /**
   * Pad id. When given, the final partial block is kept and padded to `blockLength`; when omitted, the
   * tokens that do not fill a whole block are dropped (so every block is full).
   */
  pad?: number;
}

/** Ids of a sequence of documents, `encode`d texts or already tokenised. */
export type TokenDocs = readonly ArrayLike<number>[];

function checkId(what: string, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
    throw new RangeError(`${what} must be a non-negative int32 token id, got ${id}`);
  }
}

/**
 * Pack documents into blocks of exactly `blockLength` ids: `[CLS] t₁ … t_{L−2} [SEP]`.
 * The token stream is the documents concatenated with one `[SEP]` between consecutive documents
 * (RoBERTa's FULL-SENTENCES packing), cut into runs of `blockLength − 2`. Documents must not contain the
 * framing tokens themselves.
 * @returns blocks, each `Int32Array [blockLength]`, all views of one contiguous buffer
 *   (`blocks[i].buffer` is `[nBlocks, blockLength]` row-major) — do not mutate them.
 */
export function packBlocks(docs: TokenDocs, blockLength: number, options: PackOptions): Int32Array[] {
  if (!Number.isInteger(blockLength) || blockLength < 3) {
    throw new RangeError(`packBlocks: blockLength must be an integer ≥ 3, got ${blockLength}`);
  }
  checkId('packBlocks: cls', options.cls);
  checkId('packBlocks: sep', options.sep);
  if (options.pad !== undefined) checkId('packBlocks: pad', options.pad);
  const content = blockLength - 2;
  let stream = 0;
  let nonEmpty = 0;
  for (let di = 0; di < docs.length; di++) {
    const d = docs[di];
    // Validate every id up front, including those a dropped remainder would never write.
    for (let k = 0; k < d.length; k++) {
      const id = d[k];
      if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
        throw new RangeError(`packBlocks: document ${di} position ${k} holds ${id}, expected a non-negative int32 id`);
      }
    }
    if (d.length > 0) {
      stream += d.length;
      nonEmpty++;
    }
  }
  if (nonEmpty > 1) stream += nonEmpty - 1;
  const full = Math.floor(stream / content);
  const partial = stream % content !== 0 && options.pad !== undefined ? 1 : 0;
  const nBlocks = full + partial;
  const data = new Int32Array(nBlocks * blockLength);
  if (options.pad !== undefined && options.pad !== 0) data.fill(options.pad);
  const limit = nBlocks * content; // stream positions that land in a block
  // Write stream position p to block ⌊p / content⌋, slot 1 + p mod content.
  let p = 0;
  let first = true;
  const put = (id: number): void => {
    const b = (p / content) | 0;
    data[b * blockLength + 1 + (p - b * content)] = id;
    p++;
  };
  outer: for (let di = 0; di < docs.length; di++) {
    const d = docs[di];
    if (d.length === 0) continue;
    if (!first) {
      if (p >= limit) break;
      put(options.sep);
    }
    first = false;
    for (let k = 0; k < d.length; k++) {
      if (p >= limit) break outer;
      put(d[k]);
    }
  }
  const blocks: Int32Array[] = new Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) {
    const row = data.subarray(b * blockLength, (b + 1) * blockLength);
    row[0] = options.cls;
    // A partial last block ends right after its content; full blocks end at the last slot.
    const used = b < full ? content : stream - full * content;
    row[1 + used] = options.sep;
    blocks[b] = row;
  }
  return blocks;
}

/** A dense padded batch. */
export interface PaddedBatch {
  /** Token ids, `Int32Array [batch * seqLen]` row-major (`ids[b * seqLen + t]`). */
  ids: Int32Array;
  /** 1 for a real token, 0 for padding, `Int32Array [batch * seqLen]` (int32 so it uploads to GPUs as is). */
  mask: Int32Array;
  batch: number;
  seqLen: number;
}

/** Options of {@link padBatch}. */
export interface PadOptions {
  /** Truncate sequences longer than this (default: no truncation). */
  maxLength?: number;
  /** Round `seqLen` up to a multiple of this (e.g. 8 for aligned GPU tiles; default 1). */
  multipleOf?: number;
}

/**
 * Right-pad sequences to a common length `seqLen` = the longest (after truncation to `maxLength`),
 * rounded up to `multipleOf`.
 */
export function padBatch(seqs: readonly ArrayLike<number>[], padId: number, options: PadOptions = {}): PaddedBatch {
  checkId('padBatch: padId', padId);
  const maxLength = options.maxLength ?? Infinity;
  const multipleOf = options.multipleOf ?? 1;
  if (!(maxLength >= 1)) throw new RangeError(`padBatch: maxLength must be ≥ 1, got ${maxLength}`);
  if (!Number.isInteger(multipleOf) || multipleOf < 1) {
    throw new RangeError(`padBatch: multipleOf must be a positive integer, got ${multipleOf}`);
  }
  let longest = 0;
  for (const s of seqs) longest = Math.max(longest, Math.min(s.length, maxLength));
  const seqLen = Math.ceil(longest / multipleOf) * multipleOf;
  const batch = seqs.length;
  const ids = new Int32Array(batch * seqLen);
  const mask = new Int32Array(batch * seqLen);
  if (padId !== 0) ids.fill(padId);
  for (let b = 0; b < batch; b++) {
    const s = seqs[b];
    const n = Math.min(s.length, maxLength);
    const base = b * seqLen;
    for (let t = 0; t < n; t++) {
      ids[base + t] = s[t];
      mask[base + t] = 1;
    }
  }
  return { ids, mask, batch, seqLen };
}

/** Special ids of a classification input. */
export interface ClassificationBatchOptions {
  cls: number;
  sep: number;
  pad: number;
  /** Maximum sequence length including `[CLS]` and `[SEP]` (texts are truncated to `maxLength − 2` ids). */
  maxLength: number;
  multipleOf?: number;
}

/** A padded classification batch with its labels. */
export interface ClassificationBatch extends PaddedBatch {
  /** Class index per row, `Int32Array [batch]`. */
  labels: Int32Array;
}

/**
 * Encode, frame (`[CLS] ids [SEP]`), truncate and pad a batch of labelled texts.
 * @param encode text → token ids without special tokens.
 */
export function classificationBatch(
  examples: readonly { readonly text: string; readonly label: number }[],
  encode: (text: string) => ArrayLike<number>,
  options: ClassificationBatchOptions,
): ClassificationBatch {
  if (!Number.isInteger(options.maxLength) || options.maxLength < 2) {
    throw new RangeError(`classificationBatch: maxLength must be an integer ≥ 2, got ${options.maxLength}`);
  }
  const room = options.maxLength - 2;
  const seqs = examples.map((e) => {
    const ids = encode(e.text);
    const n = Math.min(ids.length, room);
    const s = new Int32Array(n + 2);
    s[0] = options.cls;
    for (let k = 0; k < n; k++) s[1 + k] = ids[k];
    s[n + 1] = options.sep;
    return s;
  });
  const padded = padBatch(seqs, options.pad, { multipleOf: options.multipleOf });
  const labels = Int32Array.from(examples, (e) => e.label);
  return { ...padded, labels };
}
