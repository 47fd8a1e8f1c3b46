/**
 * Per-head matrices of a head-blocked space, read off the spec's bindings (so any architecture whose
 * spec declares head spaces works, not only BERT). Head `j` of a space is the `d_k` coordinates
 * `[j·d_k, (j+1)·d_k)`; every parameter axis bound to the space contributes, for each of those
 * coordinates, the slice of the parameter along the other axes. Role `out` bindings (W_Q, b_Q; W_V, b_V)
 * and role `in` bindings (W_K, b_K; W_Oᵀ) are kept in two matrices because a block `M` acts on them as
 * `M` and `M⁻ᵀ` respectively — for an orthogonal `R` both are `R`, for `a·R` they are `a·R` and `R/a`.
 *
 * Layout: `out` is `[size, outWidth]` row-major (row = space coordinate, so head j is the contiguous
 * row block `[j·d_k, (j+1)·d_k)`), the segments of the `out` bindings side by side in binding order;
 * `in` likewise. For BERT's QK space: out = [W_Q | b_Q], in = [W_K | b_K]; for VO: out = [W_V | b_V],
 * in = [W_Oᵀ] (W_O's columns of the head, as rows).
 */
import type { AxisBinding, ModelWeights, SpaceSpec, SymmetrySpec } from '@symfuse/symmetry';
import { indexSpec } from '@symfuse/symmetry';

/** One bound axis of one parameter, as a column block of a role matrix. */
export interface HeadSegment {
  readonly param: string;
  readonly role: 'out' | 'in';
  readonly axis: number;
  /** Parameter shape. */
  readonly shape: readonly number[];
  /** First coordinate of the space on the axis (the binding's range start, else 0). */
  readonly start: number;
  /** Columns contributed per space coordinate (the product of the other axes). */
  readonly cols: number;
  /** Column offset inside its role matrix. */
  readonly offset: number;
}

/** How a head space's parameters map to per-head matrices. */
export interface HeadLayout {
  readonly space: SpaceSpec;
  /** Number of heads `h`. */
  readonly heads: number;
  /** Head size `d_k`. */
  readonly dk: number;
  readonly out: readonly HeadSegment[];
  readonly in: readonly HeadSegment[];
  readonly outWidth: number;
  readonly inWidth: number;
}

/** The per-head matrices of one model on one space (see the module comment for the layout). */
export interface HeadMatrices {
  /** `[size, outWidth]`. */
  readonly out: Float64Array;
  /** `[size, inWidth]`. */
  readonly in: Float64Array;
}

/**
 * The layout of head space `space` in `spec`.
 * @throws Error when the space has no head blocking or a binding's axis does not fit the space size.
 */
export function headLayout(spec: SymmetrySpec, space: SpaceSpec): HeadLayout {
  if (!space.heads) throw new Error(`rotation: space '${space.id}' has no head blocking; the rotation aligner needs head spaces (attention QK / VO)`);
  const { count, dim } = space.heads;
  const bindings = indexSpec(spec).bindingsBySpace.get(space.id) ?? [];
  if (bindings.length === 0) throw new Error(`rotation: space '${space.id}' has no parameter bindings in spec '${spec.architecture}'`);
  const out: HeadSegment[] = [];
  const inn: HeadSegment[] = [];
  let outWidth = 0;
  let inWidth = 0;
  for (const b of bindings) {
    const shape = spec.params[b.param];
    if (!shape) throw new Error(`rotation: parameter '${b.param}' (bound to '${space.id}') has no shape in spec '${spec.architecture}'`);
    const seg = segmentOf(b, shape, space);
    if (b.role === 'out') {
      out.push({ ...seg, offset: outWidth });
      outWidth += seg.cols;
    } else {
      inn.push({ ...seg, offset: inWidth });
      inWidth += seg.cols;
    }
  }
  return { space, heads: count, dk: dim, out, in: inn, outWidth, inWidth };
}

function segmentOf(b: AxisBinding, shape: readonly number[], space: SpaceSpec): Omit<HeadSegment, 'offset'> {
  const len = shape[b.axis];
  const [start, end] = b.range ?? [0, len];
  if (len === undefined || end - start !== space.size) {
    throw new Error(`rotation: axis ${b.axis} of '${b.param}' (shape [${shape.join(', ')}]${b.range ? `, range [${start}, ${end})` : ''}) does not have the ${space.size} coordinates of space '${space.id}'`);
  }
  let cols = 1;
  for (let i = 0; i < shape.length; i++) if (i !== b.axis) cols *= shape[i];
  return { param: b.param, role: b.role, axis: b.axis, shape, start, cols };
}

/** Every parameter a layout reads, with its role. */
export function layoutParams(layout: HeadLayout): readonly HeadSegment[] {
  return [...layout.out, ...layout.in];
}

/**
 * Reads the per-head matrices of `model` on `layout` (f64 copies; the model is not touched).
 * @throws Error naming the parameter when it is missing or its shape differs from the spec's.
 */
export function gatherHeads(layout: HeadLayout, model: ModelWeights): HeadMatrices {
  const n = layout.space.size;
  const out = new Float64Array(n * layout.outWidth);
  const inn = new Float64Array(n * layout.inWidth);
  for (const seg of layout.out) gatherSegment(seg, model, out, layout.outWidth, n);
  for (const seg of layout.in) gatherSegment(seg, model, inn, layout.inWidth, n);
  return { out, in: inn };
}

function gatherSegment(seg: HeadSegment, model: ModelWeights, dst: Float64Array, width: number, n: number): void {
  const t = model.params.get(seg.param);
  if (!t) throw new Error(`rotation: parameter '${seg.param}' is missing from model${model.id ? ` '${model.id}'` : ''}`);
  if (t.shape.length !== seg.shape.length || t.shape.some((d, i) => d !== seg.shape[i])) {
    throw new Error(`rotation: parameter '${seg.param}' of model${model.id ? ` '${model.id}'` : ''} has shape [${t.shape.join(', ')}]; the spec expects [${seg.shape.join(', ')}]`);
  }
  const x = t.dataSync() as ArrayLike<number>;
  const len = seg.shape[seg.axis];
  let outer = 1;
  for (let i = 0; i < seg.axis; i++) outer *= seg.shape[i];
  let inner = 1;
  for (let i = seg.axis + 1; i < seg.shape.length; i++) inner *= seg.shape[i];
  // Row c of the role matrix, columns offset + o·inner + i  ←  x[o, start + c, i].
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < n; c++) {
      const src = (o * len + seg.start + c) * inner;
      const d = c * width + seg.offset + o * inner;
      for (let i = 0; i < inner; i++) dst[d + i] = x[src + i];
    }
  }
}
