/**
 * Shared machinery of the conformance suites: per-kernel tolerances, suite options, and a harness
 * that creates input tensors on the backend under test through the public API only, tracks and
 * disposes everything a test creates, and compares results with an oracle.
 */
import { expect } from 'vitest';
import type { Backend } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { type Tensor, tensor } from '../../index.js';
import { type Tolerance, EXACT, assertClose } from '../compare.js';
import type { NdArray } from '../nd.js';
import { nd } from '../nd.js';

/** Names under which the suites look up tolerances (one per kernel, some split by operator class). */
export type ToleranceKey =
  | 'binary' | 'binaryPow' | 'unary' | 'unaryTranscendental' | 'cast' | 'matmul' | 'transpose' | 'gather'
  | 'scatterAdd' | 'slice' | 'pad' | 'concat' | 'reduceSum' | 'reduceMinMax' | 'argmax' | 'softmax'
  | 'logSoftmax' | 'layerNorm' | 'attention' | 'centeredCross' | 'oneHot' | 'fill';

/**
 * Default f32 tolerances, relative to an f64 oracle fed the same f32 inputs. A bound is
 * `atol + rtol·max(|expected|, scale)` where accumulating kernels (matmul, sums, centeredCross,
 * scatterAdd) pass `scale = Σ|terms|`, the natural size of their rounding error.
 * They leave room for f32 accumulation and for GPU transcendentals of a few ulp.
 */
export const F32_TOLERANCES: Readonly<Record<ToleranceKey, Tolerance>> = {
  binary: { rtol: 1e-6, atol: 0 },
  binaryPow: { rtol: 1e-5, atol: 1e-7 },
  unary: { rtol: 1e-6, atol: 1e-7 },
  unaryTranscendental: { rtol: 1e-5, atol: 1e-6 },
  cast: EXACT,
  matmul: { rtol: 1e-5, atol: 1e-6 },
  transpose: EXACT,
  gather: EXACT,
  scatterAdd: { rtol: 1e-6, atol: 0 },
  slice: EXACT,
  pad: EXACT,
  concat: EXACT,
  reduceSum: { rtol: 1e-5, atol: 1e-7 },
  reduceMinMax: EXACT,
  argmax: EXACT,
  softmax: { rtol: 1e-5, atol: 1e-7 },
  logSoftmax: { rtol: 1e-5, atol: 1e-5 },
  layerNorm: { rtol: 1e-4, atol: 1e-5 },
  attention: { rtol: 1e-4, atol: 1e-5 },
  centeredCross: { rtol: 1e-5, atol: 1e-6 },
  oneHot: EXACT,
  fill: EXACT,
};

/** f64 runs: exact stays exact, everything else must agree to ~1e-12 (the oracles' own accuracy). */
function f64Tolerance(t: Tolerance): Tolerance {
  if (t.rtol === 0 && t.atol === 0) return t;
  return { rtol: 1e-12, atol: t.atol === 0 ? 0 : 1e-12 };
}

/** Options of {@link describeConformance} and {@link describeProperties}. */
export interface ConformanceOptions {
  /** Overrides of the default f32 tolerances; say why next to each override. */
  readonly tolerances?: Partial<Record<ToleranceKey, Tolerance>>;
  /** Also run the float kernels in f64 (for backends that support it; the CPU does). */
  readonly f64?: boolean;
  /** fast-check runs per random property (default 20). */
  readonly numRuns?: number;
  /** Seed of the deterministic data tables (default 1). fast-check picks its own seeds and prints them on failure. */
  readonly seed?: number;
}

/** What a suite section needs: the backend, tolerances and run settings. */
export interface SuiteContext {
  /** The backend under test (valid inside tests, after the suite's beforeAll). */
  backend(): Backend;
  /** The float dtypes to run (f32, plus f64 when enabled). */
  readonly floatDTypes: readonly ('f32' | 'f64')[];
  readonly numRuns: number;
  readonly seed: number;
  /** Tolerance of `key` for `dtype`. */
  tol(key: ToleranceKey, dtype: DType): Tolerance;
  /** Runs `body` with a fresh harness and disposes every tensor it tracked, even on failure. */
  run(body: (h: Harness) => Promise<void>): Promise<void>;
}

/** Builds the context from options and a backend getter. */
export function makeContext(getBackend: () => Backend, options: ConformanceOptions): SuiteContext {
  const tolerances = { ...F32_TOLERANCES, ...options.tolerances };
  return {
    backend: getBackend,
    floatDTypes: options.f64 ? ['f32', 'f64'] : ['f32'],
    numRuns: options.numRuns ?? 20,
    seed: options.seed ?? 1,
    tol: (key, dtype) => (dtype === 'f64' ? f64Tolerance(tolerances[key]) : tolerances[key]),
    async run(body) {
      const h = new Harness(getBackend());
      try {
        await body(h);
      } finally {
        h.dispose();
      }
    },
  };
}

/** Creates, tracks, reads and checks tensors on one backend through the public API. */
export class Harness {
  readonly #tensors: Tensor[] = [];

  constructor(readonly backend: Backend) {}

  /** Uploads host data as a tracked tensor of `dtype` and `shape`. */
  input(data: TypedArray | readonly number[], shape: readonly number[], dtype: DType = 'f32'): Tensor {
    return this.track(tensor(data instanceof Array ? [...data] : (data as TypedArray), shape, { dtype, backend: this.backend }));
  }

  /** Registers a tensor for disposal at the end of the test; returns it. */
  track<T extends Tensor>(t: T): T {
    this.#tensors.push(t);
    return t;
  }

  /** Reads a tensor back as f64. */
  async read(t: Tensor): Promise<Float64Array> {
    return Float64Array.from(await t.data());
  }

  /**
   * Checks `actual`'s shape and values against the oracle result (an NdArray, or `{value, scale}`
   * from accumulating oracles) within `tol`; `what` names the case in the failure message.
   */
  async check(what: string, actual: Tensor, expected: NdArray | { value: NdArray; scale: Float64Array }, tol: Tolerance): Promise<void> {
    this.track(actual);
    const value = 'value' in expected ? expected.value : expected;
    const scale = 'scale' in expected ? expected.scale : undefined;
    expect([...actual.shape], `${what}: shape`).toEqual([...value.shape]);
    assertClose(what, await this.read(actual), value.data, tol, scale);
  }

  /** Disposes every tracked tensor (idempotent per tensor). */
  dispose(): void {
    for (const t of this.#tensors) t.dispose();
    this.#tensors.length = 0;
  }
}

/** Host data as an oracle NdArray (values exactly as the backend received them). */
export function ndOf(data: ArrayLike<number>, shape: readonly number[]): NdArray {
  return nd(shape, data);
}

/** Rounds host data to the dtype it will be uploaded as (so the oracle sees identical inputs). */
export function asDType(data: ArrayLike<number>, dtype: DType): TypedArray {
  if (dtype === 'f64') return Float64Array.from(data);
  if (dtype === 'i32') return Int32Array.from(data);
  return Float32Array.from(data);
}

/** The awkward sizes every kernel is run at: 1, primes around powers of two, and one > 256. */
export const AWKWARD_SIZES = [1, 7, 63, 65, 257] as const;
