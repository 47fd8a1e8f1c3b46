/**
 * The per-batch state the parts of a forward pass share: the validated batch (ids, token types,
 * position ids, padding mask), its shape facts, the attention mask tensor, the tap dispatcher and the
 * intermediate-release policy. `forward` builds one per call; callers that run the encoder part by
 * part (a streaming merge reads one layer's weights at a time) build one per batch and pass it to
 * `embedTokens`, `encoderLayer`, `finalLayerNorm`, `mlmHead` and `classifierHead`.
 */
import { type Backend, type Tensor, getBackend, setKernelObserver, tensor } from '@symfuse/tensor';
import { type BatchTensors, type PreparedBatch, prepareBatch } from './inputs.js';
import { type Dims, Releaser } from './layers.js';
import { TapEmitter, type TapCollector } from './taps.js';
import type { EncoderBatch, EncoderConfig } from './types.js';
import { type ValidConfig, validateConfig } from './validate-config.js';

/** The shared state of one batch's forward pass (see the module comment). */
export interface ForwardContext {
  readonly config: ValidConfig;
  /** Batch size, sequence length, heads and head size. */
  readonly dims: Dims;
  /** Host ids, token types, position ids and padding mask, each `[B·T]`. */
  readonly prep: PreparedBatch;
  /** Where the parameters live and the activations are computed. */
  readonly backend: Backend;
  /** The parameters' dtype (activations and the mask tensor use it). */
  readonly dtype: 'f32' | 'f64';
  /** Attention mask `[B, T]` (1 real, 0 padding) on `backend`; undefined when every token is real. */
  readonly mask: Tensor | undefined;
  /** Hands tapped activations (real-token rows only) to the collector, if any. */
  readonly taps: TapEmitter;
  /** Disposes intermediates as soon as they are consumed, unless they must be kept (autograd). */
  readonly releaser: Releaser;
  /** Releases the mask tensor and the taps' index cache. Idempotent. */
  dispose(): void;
}

/** Options of {@link createForwardContext}. */
export interface ForwardContextOptions {
  /** Backend of the parameters (default: the default backend). */
  readonly backend?: Backend | string;
  /** dtype of the parameters (default `f32`). */
  readonly dtype?: 'f32' | 'f64';
  /** Activation collector; only the sites it wants are materialised. */
  readonly taps?: TapCollector;
  /**
   * Keep every intermediate alive (an autograd tape reads them in the backward pass). Default: kept
   * while a kernel observer is installed, otherwise released as soon as consumed.
   */
  readonly keepIntermediates?: boolean;
}

/** True while some kernel observer (an autograd tape) records ops and may read intermediates later. */
function isRecording(): boolean {
  const current = setKernelObserver(undefined);
  setKernelObserver(current);
  return current !== undefined;
}

/**
 * Validates `config` and `batch` (ids, mask and token types against the vocabulary sizes; position
 * ids as HF computes them) and prepares the state of one batch's forward pass. Call `dispose()` when
 * the pass is over.
 * @throws UnsupportedConfigError or ModelInputError naming the field or input at fault.
 */
export function createForwardContext(config: EncoderConfig, batch: EncoderBatch | BatchTensors, options: ForwardContextOptions = {}): ForwardContext {
  const valid = validateConfig(config);
  const prep = prepareBatch(valid, batch);
  const backend = typeof options.backend === 'object' ? options.backend : getBackend(options.backend);
  const dtype = options.dtype ?? 'f32';
  const dims: Dims = { batch: prep.batch, seqLen: prep.seqLen, heads: valid.numHeads, headDim: valid.hiddenSize / valid.numHeads };
  const mask = prep.mask ? tensor(Float32Array.from(prep.mask), [prep.batch, prep.seqLen], { backend, dtype }) : undefined;
  const taps = new TapEmitter(options.taps, prep.mask, prep.batch, prep.seqLen);
  const releaser = new Releaser(options.keepIntermediates ?? isRecording());
  let disposed = false;
  return {
    config: valid,
    dims,
    prep,
    backend,
    dtype,
    mask,
    taps,
    releaser,
    dispose() {
      if (disposed) return;
      disposed = true;
      taps.dispose();
      // The mask is an input of every attention op; an autograd tape may still hold it.
      releaser.release(mask);
    },
  };
}
