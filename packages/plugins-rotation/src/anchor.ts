/**
 * N ≥ 2 models: choose one anchor and align every other model to it. By default the anchor is the
 * model closest to the plain average of all models (as the rotation paper's reference code does), or a
 * chosen index.
 */
import type { Tensor } from '@symfuse/tensor';
import {
  coreSymmetryPlugin,
  createRegistry,
  indexSpec,
  type ModelWeights,
  type ProgressSink,
  runPipeline,
  type StatsProvider,
  type StepReport,
  type SymmetryRegistry,
  type SymmetrySpec,
  type Transform,
} from '@symfuse/symmetry';
import { ROTATION_ALIGNER_ID } from './aligner.js';
import { type DistanceReport, modelDistance } from './distance.js';
import { rotationPlugin } from './plugin.js';

/** How the anchor is chosen: an index into the models, or the model closest to their plain average. */
export type AnchorChoice = number | 'closest-to-mean';

/**
 * `‖θ_i − θ̄‖₂` for every model, `θ̄` the plain average over all models, over every parameter of
 * `models[0]` (accumulated in f64).
 * @throws Error naming the parameter when a model lacks it or its size differs.
 */
export function distancesToMean(models: readonly ModelWeights[]): number[] {
  if (models.length === 0) throw new Error('distancesToMean: no models');
  const sq = new Float64Array(models.length);
  for (const name of models[0].params.keys()) {
    const arrays = models.map((m, i) => {
      const t = m.params.get(name);
      if (!t) throw new Error(`distancesToMean: parameter '${name}' is missing from model ${i}${m.id ? ` (${m.id})` : ''}`);
      return t.dataSync() as ArrayLike<number>;
    });
    const n = arrays[0].length;
    arrays.forEach((a, i) => {
      if (a.length !== n) throw new Error(`distancesToMean: parameter '${name}' has ${a.length} entries in model ${i} but ${n} in model 0`);
    });
    const mean = new Float64Array(n);
    for (const a of arrays) for (let k = 0; k < n; k++) mean[k] += a[k];
    const inv = 1 / models.length;
    for (let k = 0; k < n; k++) mean[k] *= inv;
    arrays.forEach((a, i) => {
      let s = 0;
      for (let k = 0; k < n; k++) {
        const d = a[k] - mean[k];
        s += d * d;
      }
      sq[i] += s;
    });
  }
  return Array.from(sq, Math.sqrt);
}

/**
 * The index of the anchor model.
 * @param options.anchor an index, or `'closest-to-mean'` (default): the model nearest the plain
 *   average (lowest index on ties).
 * @throws Error when there are no models or the index is out of range.
 */
export function chooseAnchor(models: readonly ModelWeights[], options: { readonly anchor?: AnchorChoice } = {}): number {
  const choice = options.anchor ?? 'closest-to-mean';
  if (models.length === 0) throw new Error('chooseAnchor: no models');
  if (typeof choice === 'number') {
    if (!Number.isInteger(choice) || choice < 0 || choice >= models.length) {
      throw new Error(`chooseAnchor: anchor = ${choice}; expected an integer index in 0..${models.length - 1} or 'closest-to-mean'`);
    }
    return choice;
  }
  if (choice !== 'closest-to-mean') throw new Error(`chooseAnchor: anchor = ${JSON.stringify(choice)}; expected an integer index or 'closest-to-mean'`);
  const d = distancesToMean(models);
  let best = 0;
  for (let i = 1; i < d.length; i++) if (d[i] < d[best]) best = i;
  return best;
}

/** Options of {@link alignAllToAnchor}. */
export interface AlignAllOptions {
  /** Default `'closest-to-mean'`. */
  readonly anchor?: AnchorChoice;
  /** Default: `coreSymmetryPlugin()` + `rotationPlugin()`. */
  readonly registry?: SymmetryRegistry;
  /**
   * A pipeline configuration (any aligners, e.g. weight matching for FFNs then rotation, and
   * optionally a merge). Default: `{ align: [{ aligner: 'rotation', spaces: ['attention'], options: rotation }] }`.
   */
  readonly config?: unknown;
  /** Options of the rotation aligner when `config` is not given. */
  readonly rotation?: Readonly<Record<string, unknown>>;
  readonly statsProvider?: StatsProvider;
  readonly spec?: SymmetrySpec;
  readonly seed?: number;
  readonly progress?: ProgressSink;
}

/** Distances of one model to the anchor, before and after alignment. */
export interface ModelDistances {
  /** Index into the input models. */
  readonly model: number;
  /** Whole model. */
  readonly before: DistanceReport;
  readonly after: DistanceReport;
  /** Only the parameters bound to a space the transform changed (the "matched" parameters). */
  readonly matchedBefore: DistanceReport;
  readonly matchedAfter: DistanceReport;
}

/** Result of {@link alignAllToAnchor}. */
export interface AlignAllResult {
  readonly anchorIndex: number;
  readonly spec: SymmetrySpec;
  /** In input order; the anchor itself at `anchorIndex`. */
  readonly aligned: readonly ModelWeights[];
  /** In input order; the identity at `anchorIndex`. */
  readonly transforms: readonly Transform[];
  /** One entry per non-anchor model. */
  readonly distances: readonly ModelDistances[];
  /** Pipeline step reports (`model` indexes the input models). */
  readonly steps: readonly StepReport[];
  readonly merged?: Map<string, Tensor>;
  readonly warnings: readonly string[];
}

/**
 * Chooses the anchor and aligns every other model to it through `runPipeline`, then reports the
 * distances to the anchor before and after (whole model and matched parameters).
 * @throws Error for fewer than 2 models, a bad anchor, or any pipeline error.
 */
export async function alignAllToAnchor(models: readonly ModelWeights[], options: AlignAllOptions = {}): Promise<AlignAllResult> {
  if (models.length < 2) throw new Error(`alignAllToAnchor: got ${models.length} model${models.length === 1 ? '' : 's'}; aligning needs at least 2`);
  const anchorIndex = chooseAnchor(models, { anchor: options.anchor });
  const registry = options.registry ?? createRegistry().use(coreSymmetryPlugin()).use(rotationPlugin()).freeze();
  const config = options.config ?? { align: [{ aligner: ROTATION_ALIGNER_ID, spaces: ['attention'], options: options.rotation ?? {} }] };
  const others = models.map((_, i) => i).filter((i) => i !== anchorIndex);
  const anchor = models[anchorIndex];
  const result = await runPipeline(registry, config, {
    anchor,
    models: others.map((i) => models[i]),
    ...(options.statsProvider ? { statsProvider: options.statsProvider } : {}),
    ...(options.spec ? { spec: options.spec } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const aligned: ModelWeights[] = models.slice();
  const transforms: Transform[] = models.map(() => ({ elements: new Map(), preservesFunction: true }));
  const distances: ModelDistances[] = [];
  const index = indexSpec(result.spec);
  others.forEach((i, k) => {
    aligned[i] = result.aligned[k];
    transforms[i] = result.transforms[k];
    const matched = new Set<string>();
    for (const space of result.transforms[k].elements.keys()) for (const b of index.bindingsBySpace.get(space) ?? []) matched.add(b.param);
    const opts = { spec: result.spec };
    distances.push({
      model: i,
      before: modelDistance(anchor, models[i], opts),
      after: modelDistance(anchor, aligned[i], opts),
      matchedBefore: modelDistance(anchor, models[i], { ...opts, params: matched }),
      matchedAfter: modelDistance(anchor, aligned[i], { ...opts, params: matched }),
    });
  });
  const steps = result.steps.map((s) => ({ ...s, model: others[s.model] }));
  return {
    anchorIndex,
    spec: result.spec,
    aligned,
    transforms,
    distances,
    steps,
    ...(result.merged ? { merged: result.merged } : {}),
    warnings: result.warnings,
  };
}
