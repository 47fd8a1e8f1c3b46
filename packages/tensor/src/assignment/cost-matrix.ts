/** Dense row-major matrix: entry (i, j) is `data[i·cols + j]`. */
export interface DenseMatrixLike {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

/** Duck type of a 2-D tensor (the `@symfuse/tensor` Tensor has exactly these members). */
export interface TensorLike2D {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

/** Accepted cost inputs: nested rows, a dense row-major matrix, or a 2-D tensor `[rows, cols]`. */
export type CostMatrixInput = readonly (readonly number[])[] | DenseMatrixLike | TensorLike2D;

/** Cost matrix prepared for the solvers: minimisation, rows ≤ cols, forbidden pairs = +∞. */
export interface PreparedCost {
  /** Row-major `[n, m]` solver costs (negated when maximising, transposed when the input was tall). */
  readonly cost: Float64Array;
  readonly n: number;
  readonly m: number;
  /** True when solver rows are the input's columns. */
  readonly transposed: boolean;
  /** Input shape. */
  readonly rows: number;
  readonly cols: number;
  /** Entry (i, j) of the input, original sign. */
  readonly at: (i: number, j: number) => number;
}

const OP = 'linearSumAssignment';

/**
 * Validates and converts a cost input in one pass: NaN anywhere, or an infinity in the optimising
 * direction (−∞ when minimising, +∞ when maximising — it would make the optimum unbounded), throws an
 * error naming the entry; an infinity the other way is kept as a forbidden pair.
 */
export function prepareCost(input: CostMatrixInput | ResolvedCost, maximize: boolean): PreparedCost {
  const { data, rows, cols, rowOf } = input instanceof ResolvedCost ? input : resolveCost(input);
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  const cost = new Float64Array(n * m);
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < rows; i++) {
    const src = rowOf(i);
    const arr = src ?? data;
    // Tall inputs are transposed on the fly: input row i becomes solver column i (stride m).
    copyRow(
      arr,
      src === null ? i * cols : 0,
      i,
      cols,
      cost,
      transposed ? i : i * cols,
      transposed ? m : 1,
      sign,
      maximize,
      !ArrayBuffer.isView(arr), // typed arrays hold numbers by construction
    );
  }
  const at = (i: number, j: number): number => {
    const src = rowOf(i);
    return src === null ? data[i * cols + j] : src[j];
  };
  return { cost, n, m, transposed, rows, cols, at };
}

/**
 * Copies one input row into the solver matrix (times `sign`), validating every entry. After the sign
 * flip the only invalid values are NaN and −∞, and `!(c > −∞)` catches both with one compare.
 */
function copyRow(
  src: ArrayLike<number>,
  srcOff: number,
  i: number,
  cols: number,
  dst: Float64Array,
  dstOff: number,
  dstStride: number,
  sign: number,
  maximize: boolean,
  checkType: boolean,
): void {
  if (checkType) {
    for (let j = 0; j < cols; j++) {
      const c = src[srcOff + j];
      if (typeof c !== 'number') {
        throw new TypeError(`${OP}: cost entry (${i}, ${j}) is ${describe(c)}, expected a number`);
      }
    }
  }
  if (dstStride === 1) {
    for (let j = 0; j < cols; j++) {
      const c = sign * src[srcOff + j];
      if (!(c > -Infinity)) throw invalidEntry(src[srcOff + j], i, j, maximize);
      dst[dstOff + j] = c;
    }
  } else {
    for (let j = 0; j < cols; j++) {
      const c = sign * src[srcOff + j];
      if (!(c > -Infinity)) throw invalidEntry(src[srcOff + j], i, j, maximize);
      dst[dstOff + j * dstStride] = c;
    }
  }
}

/** Error for a NaN or optimum-unbounding infinite entry (i, j) of the input. */
export function invalidEntry(c: number, i: number, j: number, maximize: boolean): Error {
  if (Number.isNaN(c)) {
    return new RangeError(
      `${OP}: cost entry (${i}, ${j}) is NaN; every entry must be a number or a forbidding infinity`,
    );
  }
  const dir = maximize ? 'maximizing' : 'minimizing';
  const ok = maximize ? '-Infinity' : 'Infinity';
  return new RangeError(
    `${OP}: cost entry (${i}, ${j}) is ${String(c)}, which makes the optimum unbounded when ${dir}; ` +
      `use ${ok} to forbid a pair`,
  );
}

/** A cost input with its shape resolved (tensor data read once). */
export class ResolvedCost {
  constructor(
    /** Row-major entries (unused for nested input). */
    readonly data: ArrayLike<number>,
    readonly rows: number,
    readonly cols: number,
    /** Row i of a nested input (null when `data` holds the matrix). */
    readonly rowOf: (i: number) => ArrayLike<number> | null,
  ) {}

  /**
   * The row-major numeric typed array when the input is square and flat (dense or tensor), so solvers
   * can read it in place; null otherwise. Typed arrays need no per-entry type checks.
   */
  squareTyped(): ArrayLike<number> | null {
    if (this.rows !== this.cols || this.rowOf(0) !== null) return null;
    return ArrayBuffer.isView(this.data) ? this.data : null;
  }
}

const NO_DATA: ArrayLike<number> = new Float64Array(0);
const nullRow = (): null => null;

/**
 * Resolves the input's shape and storage, checking its structure (ragged rows, shape/length mismatch,
 * non-2-D tensors) but not its values.
 */
export function resolveCost(input: CostMatrixInput): ResolvedCost {
  if (Array.isArray(input)) {
    const nested = input as readonly (readonly number[])[];
    const rows = nested.length;
    if (rows === 0) return new ResolvedCost(NO_DATA, 0, 0, nullRow);
    for (let i = 0; i < rows; i++) {
      if (!Array.isArray(nested[i]) && !ArrayBuffer.isView(nested[i])) {
        throw new TypeError(`${OP}: row ${i} of the nested cost matrix is ${describe(nested[i])}, expected an array`);
      }
    }
    const cols = nested[0].length;
    for (let i = 1; i < rows; i++) {
      if (nested[i].length !== cols) {
        throw new RangeError(
          `${OP}: ragged cost matrix: row ${i} has ${nested[i].length} entries, row 0 has ${cols}`,
        );
      }
    }
    return new ResolvedCost(NO_DATA, rows, cols, (i) => nested[i]);
  }
  if (input !== null && typeof input === 'object' && typeof (input as TensorLike2D).dataSync === 'function') {
    const t = input as TensorLike2D;
    if (t.shape.length !== 2) {
      throw new RangeError(`${OP}: tensor cost must be 2-D [rows, cols], got shape [${t.shape.join(', ')}]`);
    }
    const [rows, cols] = t.shape;
    const data = t.dataSync();
    if (data.length !== rows * cols) {
      throw new RangeError(`${OP}: tensor of shape [${rows}, ${cols}] returned ${data.length} values`);
    }
    return new ResolvedCost(checkNumeric(data), rows, cols, nullRow);
  }
  if (input !== null && typeof input === 'object' && 'data' in input) {
    const { data, rows, cols } = input as DenseMatrixLike;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`${OP}: dense cost needs non-negative integer rows/cols, got rows=${rows}, cols=${cols}`);
    }
    if (data == null || typeof data.length !== 'number' || data.length !== rows * cols) {
      throw new RangeError(
        `${OP}: dense cost data has ${data == null ? 'no' : data.length} entries, expected rows·cols = ${rows * cols}`,
      );
    }
    return new ResolvedCost(checkNumeric(data), rows, cols, nullRow);
  }
  throw new TypeError(
    `${OP}: cost must be number[][], {data, rows, cols} or a 2-D tensor {shape, dataSync()}, got ${describe(input)}`,
  );
}

function checkNumeric(data: ArrayLike<number>): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new TypeError(`${OP}: cost data is a ${data.constructor.name}; use a Float64Array, Float32Array or number[]`);
  }
  return data;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'object') return `an object (${Object.prototype.toString.call(x)})`;
  return `${typeof x} ${String(x)}`;
}
