/**
 * The `rotation` aligner: dataless, weights-only matching of attention heads by closed-form
 * orthogonal Procrustes, then optional rescaling, optional head pairing (beyond the paper), on all
 * or a subset of layers (RQ4). See ALGORITHMS.md "Rotation / Procrustes matching" and
 * papers/rotation-symmetry-model-fusion.txt.
 *
 * FFNs are not this aligner's job: compose it with a permutation aligner (e.g. weight matching) in
 * the pipeline — `align: [{ aligner: 'weight-matching', spaces: ['ffn'] }, { aligner: 'rotation' }]` —
 * which is how the paper matches FFNs.
 */
import {
  type Aligner,
  type AlignRequest,
  type AlignResult,
  type GroupKind,
  indexSpec,
  type ModelWeights,
  type SpaceElement,
  type SpaceSpec,
  type SymmetrySpec,
  type TraceEvent,
} from '@symfuse/symmetry';
import { fromHost, type Tensor } from '@symfuse/tensor';
import { alignHeadGroup, type HeadReport, type SpaceProblem } from './align-group.js';
import { gatherHeads, headLayout } from './head-layout.js';
import { type RotationOptions, rotationOptions, selectedLayers } from './options.js';

/** The aligner id. */
export const ROTATION_ALIGNER_ID = 'rotation';

/** What `align` reports in `diagnostics` (JSON-serialisable). */
export interface RotationDiagnostics {
  readonly aligner: typeof ROTATION_ALIGNER_ID;
  readonly options: RotationOptions;
  /** Spaces given an element (rotated, or head-permuted by pairing). */
  readonly spaces: readonly string[];
  /** Layers matched. */
  readonly layers: readonly number[];
  /** Euclidean distance to the anchor over the matched parameters' head slices, before and after. */
  readonly distance: { readonly before: number; readonly after: number };
  /** The same per parameter. */
  readonly perTensor: Readonly<Record<string, { readonly before: number; readonly after: number }>>;
  /** The same per layer. */
  readonly perLayer: readonly { readonly layer: number; readonly before: number; readonly after: number }[];
  /** Per space, per anchor head: squared distances before / after rotation / after rescaling, scale, pairing. */
  readonly heads: Readonly<Record<string, readonly HeadReport[]>>;
  /** Per head group, with pairing: σ and the assignment objective of the identity vs σ. */
  readonly headPairing: Readonly<Record<string, { readonly sigma: readonly number[]; readonly costIdentity: number; readonly cost: number }>>;
  readonly timings: { readonly totalMs: number; readonly gatherMs: number; readonly solveMs: number };
}

function admits(space: SpaceSpec, ...kinds: GroupKind[]): boolean {
  return space.kinds.includes('head-invertible') || kinds.every((k) => space.kinds.includes(k));
}

function requireKinds(space: SpaceSpec, what: string, ...kinds: GroupKind[]): void {
  if (!admits(space, ...kinds)) {
    throw new Error(`rotation: ${what} needs kind${kinds.length > 1 ? 's' : ''} ${kinds.map((k) => `'${k}'`).join(' and ')} on space '${space.id}', which admits only ${space.kinds.join(', ') || 'nothing'}`);
  }
}

function numLayersOf(spec: SymmetrySpec): number {
  let n = 0;
  for (const s of spec.spaces) if (s.layer !== undefined) n = Math.max(n, s.layer + 1);
  return n;
}

interface Group {
  readonly id: string;
  readonly members: readonly { readonly space: SpaceSpec; readonly rotate: boolean }[];
}

/** Which spaces to solve, grouped by head group (σ is shared within a group). */
function planGroups(spec: SymmetrySpec, spaces: readonly SpaceSpec[], o: RotationOptions, layers: ReadonlySet<number>): Group[] {
  const given = new Set(spaces.map((s) => s.id));
  const index = indexSpec(spec);
  const inLayers = (s: SpaceSpec) => (s.layer === undefined ? o.layers === undefined : layers.has(s.layer));
  const wantsRotation = (s: SpaceSpec) => (s.component === 'attention-qk' ? o.qk : s.component === 'attention-vo' ? o.vo : false);
  const groups = new Map<string, Group>();
  for (const s of spaces) {
    if (s.component !== 'attention-qk' && s.component !== 'attention-vo') {
      throw new Error(`rotation: space '${s.id}' is a ${s.component} space; the rotation aligner handles attention-qk and attention-vo spaces only`);
    }
    if (!s.heads) throw new Error(`rotation: space '${s.id}' has no head blocking (heads {count, dim}); per-head Procrustes needs it`);
    if (!inLayers(s)) continue;
    const key = o.headPairing && s.headGroup !== undefined ? s.headGroup : s.id;
    if (groups.has(key)) continue;
    if (o.headPairing) {
      const ids = s.headGroup !== undefined ? (index.headGroups.get(s.headGroup) ?? [s.id]) : [s.id];
      const missing = ids.filter((id) => !given.has(id));
      if (missing.length) {
        throw new Error(`rotation: headPairing permutes the heads of every space of head group '${s.headGroup}' (${ids.join(', ')}), but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not among this step's spaces; select the whole attention (spaces: ['attention']) or turn headPairing off`);
      }
      const members = ids.map((id) => index.spaces.get(id)!).map((sp) => ({ space: sp, rotate: wantsRotation(sp) }));
      groups.set(key, { id: key, members });
    } else if (wantsRotation(s)) {
      groups.set(key, { id: key, members: [{ space: s, rotate: true }] });
    }
  }
  for (const g of groups.values()) {
    for (const m of g.members) {
      if (m.rotate) requireKinds(m.space, 'per-head rotation', 'head-orthogonal');
      if (m.rotate && o.rescale) requireKinds(m.space, 'rescaling (rescale: true)', 'head-orthogonal', 'head-scale');
      if (o.headPairing) requireKinds(m.space, 'head pairing (headPairing: true)', 'head-permutation');
    }
  }
  return [...groups.values()];
}

/**
 * The `rotation` aligner (components `attention-qk`, `attention-vo`; no statistics).
 * Maps the model towards the anchor: per head j, `block_j = a_j·R_j` applied to model head `σ(j)`.
 */
export function rotationAligner(): Aligner<RotationOptions> {
  return {
    id: ROTATION_ALIGNER_ID,
    prettyName: 'Rotation matching (per-head Procrustes for QK and VO, rescaling, optional head pairing)',
    reference: 'Zhang et al. 2025, "Beyond the Permutation Symmetry of Transformers: The Role of Rotation for Model Fusion"',
    components: ['attention-qk', 'attention-vo'],
    options: rotationOptions(),
    needs: [],
    align: alignRotation,
  };
}

/**
 * `m` with every parameter readable on the host: host tensors as they are, device tensors (WebGPU)
 * downloaded once. The Procrustes solves run in f64 on the CPU whatever backend the weights are on.
 */
async function onHost(m: ModelWeights): Promise<ModelWeights> {
  let params: Map<string, Tensor> | undefined;
  for (const [name, t] of m.params) {
    if (t.backend.readSync(t.storage) !== undefined) continue;
    params ??= new Map(m.params);
    params.set(name, fromHost(await t.data(), t.shape, 'cpu'));
  }
  return params ? { ...m, params } : m;
}

async function alignRotation(request: AlignRequest<RotationOptions>): Promise<AlignResult> {
  const tStart = performance.now();
  const { spec, spaces, options: o, solver, progress } = request;
  const anchor = await onHost(request.anchor);
  const model = await onHost(request.model);
  const layerList = selectedLayers(o.layers, numLayersOf(spec));
  const groups = planGroups(spec, spaces, o, new Set(layerList));
  const elements = new Map<string, SpaceElement>();
  const trace: TraceEvent[] = [];
  const perTensor: Record<string, { before: number; after: number }> = {};
  const perLayer = new Map<number, { before: number; after: number }>();
  const heads: Record<string, readonly HeadReport[]> = {};
  const headPairing: Record<string, { sigma: number[]; costIdentity: number; cost: number }> = {};
  let gatherMs = 0;
  let solveMs = 0;
  let before = 0;
  let after = 0;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    const t0 = performance.now();
    const problems: SpaceProblem[] = group.members.map(({ space, rotate }) => {
      const layout = headLayout(spec, space);
      return { layout, anchor: gatherHeads(layout, anchor), model: gatherHeads(layout, model), rotate, rescale: rotate && o.rescale };
    });
    const t1 = performance.now();
    const outcome = await alignHeadGroup(problems, o.headPairing, solver);
    const t2 = performance.now();
    gatherMs += t1 - t0;
    solveMs += t2 - t1;
    if (outcome.pairing) headPairing[group.id] = { sigma: Array.from(outcome.sigma), costIdentity: outcome.pairing.costIdentity, cost: outcome.pairing.cost };
    for (let i = 0; i < outcome.spaces.length; i++) {
      const so = outcome.spaces[i];
      const space = group.members[i].space;
      if (so.element) elements.set(so.spaceId, so.element);
      heads[so.spaceId] = so.heads;
      before += so.before;
      after += so.after;
      for (const [param, d] of so.perParam) {
        const acc = (perTensor[param] ??= { before: 0, after: 0 });
        acc.before += d.before;
        acc.after += d.after;
      }
      if (space.layer !== undefined) {
        const acc = perLayer.get(space.layer) ?? { before: 0, after: 0 };
        acc.before += so.before;
        acc.after += so.after;
        perLayer.set(space.layer, acc);
      }
      trace.push({
        space: so.spaceId,
        step: group.members[i].rotate ? (o.rescale ? 'procrustes+rescale' : 'procrustes') : 'head-pairing',
        objectiveBefore: so.before,
        objectiveAfter: so.after,
        ms: so.ms + (outcome.pairing ? outcome.pairing.ms / outcome.spaces.length : 0),
        detail: {
          ...(space.layer !== undefined ? { layer: space.layer } : {}),
          headPerm: Array.from(outcome.sigma),
          scales: so.heads.map((h) => h.scale),
          objectivePerHead: so.heads.map((h) => ({ head: h.head, pairedWith: h.pairedWith, before: h.before, afterRotation: h.afterRotation, after: h.after })),
          ...(outcome.pairing ? { pairing: { costIdentity: outcome.pairing.costIdentity, cost: outcome.pairing.cost, ms: outcome.pairing.ms } } : {}),
        },
      });
    }
    progress?.({ stage: ROTATION_ALIGNER_ID, done: g + 1, total: groups.length, detail: group.id });
  }
  const sqrtPair = (d: { before: number; after: number }) => ({ before: Math.sqrt(d.before), after: Math.sqrt(d.after) });
  const diagnostics: RotationDiagnostics = {
    aligner: ROTATION_ALIGNER_ID,
    options: o,
    spaces: [...elements.keys()],
    layers: [...perLayer.keys()].sort((a, b) => a - b),
    distance: sqrtPair({ before, after }),
    perTensor: Object.fromEntries(Object.entries(perTensor).map(([k, v]) => [k, sqrtPair(v)])),
    perLayer: [...perLayer].sort((a, b) => a[0] - b[0]).map(([layer, v]) => ({ layer, ...sqrtPair(v) })),
    heads,
    headPairing,
    timings: { totalMs: performance.now() - tStart, gatherMs, solveMs },
  };
  return {
    transform: { elements, preservesFunction: true, provenance: { aligner: ROTATION_ALIGNER_ID, options: { ...o }, seed: request.seed } },
    trace,
    diagnostics: diagnostics as unknown as Readonly<Record<string, unknown>>,
  };
}
