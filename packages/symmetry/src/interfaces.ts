/**
 * The extension points of symfuse. A plugin contributes any of these; the registry wires them.
 * See docs/adding-an-aligner.md, adding-a-merger.md and adding-an-architecture.md.
 */
import type { Tensor } from '@symfuse/tensor';
import type { SpaceComponent, SpaceSpec, SymmetrySpec } from './spec.js';
import type { Transform } from './transform.js';

/** Parameters keyed by Hugging Face name. Linear weights are `[out, in]`. */
export type ParamMap = ReadonlyMap<string, Tensor>;

/**
 * A model as the framework sees it: its HF config (parsed) and its parameters. Structurally
 * compatible with `@symfuse/models`' `EncoderModel` (`{config, params, head?}`).
 */
export interface ModelWeights<C = unknown> {
  readonly config: C;
  readonly params: ParamMap;
  /** The task head (`none`, `mlm`, `classifier`); default: resolved from config / params. */
  readonly head?: string;
  /** Where it came from (a directory, "anchor"…), for messages and reports. */
  readonly id?: string;
}

/** One named f64 array of a statistics bundle. */
export interface StatEntry {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** A bundle of statistics of one kind, keyed by site or parameter name (e.g. Gram per linear weight). */
export interface StatsBundle {
  /** `correlation`, `gram`, `fisher` or a plugin's own kind. */
  readonly kind: string;
  /** Provenance: model id, data description, token count, shard… (strings or numbers). */
  readonly meta: Readonly<Record<string, string | number>>;
  /** Named f64 arrays with shapes, e.g. a Gram `[in, in]` under the linear weight's name. */
  readonly entries: ReadonlyMap<string, StatEntry>;
}

/**
 * How the entries of a statistics kind live in the spec's spaces, i.e. how a transform moves them
 * into another basis (`transformStatsBundle`):
 * - `linear-input-gram`: entry under a linear weight's name, `[in, in]` Gram of its input → `T G Tᵀ`;
 * - `per-param`: entry under a parameter's name with the parameter's shape (diagonal Fisher) →
 *   permuted like the parameter (permutations only);
 * - `pairwise`: anchor × model statistics (correlations): never transformed, re-collected instead.
 */
export type StatLayout = 'linear-input-gram' | 'per-param' | 'pairwise';

/** A statistic an aligner or merger needs before it can run. */
export interface StatNeed {
  readonly kind: string;
  /** Pairwise stats (correlations) are computed from anchor and model on the same inputs. */
  readonly pairwise: boolean;
}

/** Solves a linear assignment. */
export interface Solver {
  readonly id: string;
  readonly prettyName: string;
  /**
   * @param cost row-major `[rows, cols]`, rows ≤ cols.
   * @returns for each row its column (`cols[r]`), and the total of the chosen entries.
   */
  solve(cost: Float64Array, rows: number, cols: number, options: { maximize: boolean }): Promise<{ cols: Int32Array; total: number }>;
}

/** Something that reports progress of long work (the CLI renders it; libraries never print). */
export interface ProgressSink {
  (event: { stage: string; done: number; total: number; detail?: string }): void;
}

/** What an aligner gets. */
export interface AlignRequest<O> {
  readonly spec: SymmetrySpec;
  readonly anchor: ModelWeights;
  /** The model to align, already transformed by earlier pipeline steps. */
  readonly model: ModelWeights;
  /** The spaces this aligner may transform (the pipeline gives each aligner its own). */
  readonly spaces: readonly SpaceSpec[];
  readonly options: O;
  /** Statistics declared in `needs`, by kind (pairwise ones describe anchor × model). */
  readonly stats: ReadonlyMap<string, StatsBundle>;
  readonly solver: Solver;
  readonly seed: number;
  readonly progress?: ProgressSink;
}

/** One step of an aligner's (or merger's) work, for reports. */
export interface TraceEvent {
  readonly space: string;
  readonly step: string;
  readonly objectiveBefore?: number;
  readonly objectiveAfter?: number;
  readonly ms?: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** What an aligner returns. */
export interface AlignResult {
  /** Elements only on `request.spaces` (the pipeline rejects others). Maps the model towards the anchor. */
  readonly transform: Transform;
  readonly trace: readonly TraceEvent[];
  readonly diagnostics: Readonly<Record<string, unknown>>;
}

/** Options schema: parses unknown input into typed options, with errors naming key and allowed values. */
export interface OptionsSchema<O> {
  /** Parses (and defaults) options; throws an Error naming the key, the value and what is allowed. */
  parse(input: unknown): O;
  /** Human-readable description of each option, for `--help`. */
  readonly describe?: Readonly<Record<string, string>>;
}

/**
 * Finds a transform of `model` that brings it close to `anchor` on its spaces.
 * How to add one: docs/adding-an-aligner.md.
 */
export interface Aligner<O = Record<string, unknown>> {
  /** kebab-case, unique in a registry. */
  readonly id: string;
  readonly prettyName: string;
  /** Paper or source, e.g. "Verma & Elbayad 2024". */
  readonly reference: string;
  /** Space components it can align (the pipeline refuses to give it others). */
  readonly components: readonly SpaceComponent[];
  readonly options: OptionsSchema<O>;
  /** Every statistic it may need (checked against registered collectors at `freeze`). */
  readonly needs: readonly StatNeed[];
  /** The statistics a particular run needs (a subset of `needs`); default: all of `needs`. */
  needsFor?(options: O, spaces: readonly SpaceSpec[]): readonly StatNeed[];
  align(request: AlignRequest<O>): Promise<AlignResult>;
}

/** What a merger gets: N ≥ 2 models already in one basis (the anchor's), with their statistics. */
export interface MergeRequest<P> {
  readonly spec: SymmetrySpec;
  /** `models[0]` is the anchor. */
  readonly models: readonly ModelWeights[];
  /** Per model, statistics by kind (already transformed into the anchor's basis). */
  readonly stats: readonly ReadonlyMap<string, StatsBundle>[];
  readonly params: P;
  readonly seed: number;
  readonly progress?: ProgressSink;
}

/** What a merger returns. */
export interface MergeResult {
  readonly params: Map<string, Tensor>;
  readonly diagnostics: Readonly<Record<string, unknown>>;
}

/** Combines N ≥ 2 models into one. How to add one: docs/adding-a-merger.md. */
export interface Merger<P = Record<string, unknown>> {
  readonly id: string;
  readonly prettyName: string;
  readonly reference: string;
  readonly params: OptionsSchema<P>;
  /** Every statistic it may need (checked against registered collectors at `freeze`). */
  readonly needs: readonly StatNeed[];
  /** The statistics a particular run needs (a subset of `needs`); default: all of `needs`. */
  needsFor?(params: P): readonly StatNeed[];
  merge(request: MergeRequest<P>): Promise<MergeResult>;
}

/** Collects statistics of one kind over data (forward passes with activation taps). */
export interface StatCollector {
  readonly id: string;
  readonly kind: string;
  readonly pairwise: boolean;
  /** How its entries move under a transform (see {@link StatLayout}). */
  readonly layout: StatLayout;
  /**
   * Runs over `batches` and returns the statistics. Pairwise collectors receive the anchor in
   * `reference`. Implementations stream: memory is independent of the number of batches.
   */
  collect(request: CollectRequest): Promise<StatsBundle>;
  /** Exactly combines statistics of disjoint shards of data. */
  combine(parts: readonly StatsBundle[]): StatsBundle;
  /**
   * Optional: the accumulation without the forward passes, so that collections over the same batches
   * share one forward pass per model and batch ({@link collectJointly}). A collector that has one
   * usually implements `collect` as `collectJointly` over this accumulator alone, so the two cannot
   * drift. How to add one: docs/adding-a-collector.md.
   */
  accumulator?(request: AccumulateRequest): TapAccumulator;
}

/** A {@link CollectRequest} without the data: the batches come from whoever runs the forward passes. */
export type AccumulateRequest = Omit<CollectRequest, 'batches' | 'progress'>;

/** Whose forward pass a tap comes from: the model's own, or (pairwise collectors) the anchor's (`reference`). */
export type TapRole = 'model' | 'reference';

/** Where a tapped row block sits (structurally `@symfuse/models`' `TapInfo`). */
export interface TapRowsInfo {
  readonly site: string;
  /** Rows of the features (real tokens only: padding is dropped by the taps). */
  readonly rows: number;
  /** Flat position `b·T + t` of each row. */
  readonly positions: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
}

/**
 * The accumulating half of a statistics collector. The runner ({@link collectJointly}) runs, per
 * batch, the reference's forward pass and then the model's, hands every wanted tap to `collect`, and
 * calls `endBatch` after both.
 */
export interface TapAccumulator {
  /** The task head the forward pass must run (`'none'`: the encoder only, skipping e.g. the vocabulary projection). */
  readonly head: string;
  /** False for batches (0-based index in the stream) this accumulator skips, e.g. outside its shard. Default: all. */
  accepts?(batchIndex: number): boolean;
  /** Tap sites wanted from each pass (`@symfuse/models` tap site names). */
  wants(role: TapRole, site: string): boolean;
  /** One tapped site `[rows, dim]`; the tensor is only valid during the call (copy what is kept). */
  collect(role: TapRole, site: string, features: Tensor, info: TapRowsInfo): void;
  /** After the batch's passes: fold the batch in (device downloads may be awaited here). */
  endBatch(batchIndex: number, batch: ModelBatch): Promise<void> | void;
  /** The statistics after the last batch. @throws when no batch was accepted, or a wanted site never fired. */
  finish(): Promise<StatsBundle>;
}

/** Input of a collector. */
export interface CollectRequest {
  readonly spec: SymmetrySpec;
  readonly model: ModelWeights;
  readonly reference?: ModelWeights;
  readonly batches: AsyncIterable<ModelBatch> | Iterable<ModelBatch>;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly progress?: ProgressSink;
}

/** A batch of token ids, row-major `[batch, seqLen]`; mask 1 = real token. */
export interface ModelBatch {
  readonly ids: Int32Array;
  readonly mask: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
  readonly typeIds?: Int32Array;
  /** Class labels `[batch]` for classification tasks. */
  readonly labels?: Int32Array;
}

/** Options of {@link ArchitectureProvider.buildSpec}. */
export interface BuildSpecOptions {
  /** The task head (`none`, `mlm`, `classifier`); default: from the config, then from `params`. */
  readonly head?: string;
  /** The model's parameters (names only are used, to resolve the head). */
  readonly params?: ParamMap;
}

/** Builds the SymmetrySpec of a model family. How to add one: docs/adding-an-architecture.md. */
export interface ArchitectureProvider<C = unknown> {
  readonly id: string;
  readonly prettyName: string;
  /** True when this provider understands `config`. */
  matches(config: C): boolean;
  buildSpec(config: C, options?: BuildSpecOptions): SymmetrySpec;
}

/** Metadata of a plugin. */
export interface PluginMeta {
  /** Unique name, e.g. `@symfuse/plugins-regmean`; errors about duplicates name it. */
  readonly name: string;
  readonly version: string;
  readonly description: string;
}

/**
 * A plugin: a plain object from a factory function. Nothing registers on import; the user calls
 * `createRegistry().use(plugin())`.
 */
export interface SymmetryPlugin {
  readonly meta: PluginMeta;
  readonly solvers?: readonly Solver[];
  readonly aligners?: readonly Aligner<any>[];
  readonly mergers?: readonly Merger<any>[];
  readonly collectors?: readonly StatCollector[];
  readonly architectures?: readonly ArchitectureProvider<any>[];
  /** Registers extra kernels (e.g. a WGSL override); called once by `freeze()`. */
  readonly kernels?: () => void;
}
