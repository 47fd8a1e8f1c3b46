/**
 * Loading parameters from a checkpoint's tensors into the canonical names of the encoder family,
 * tolerant of the variants found in the wild (as `transformers`' `from_pretrained` is):
 * - base-model checkpoints without the `bert.` / `roberta.` prefix (`embeddings.…`, `encoder.…`, `pooler.…`);
 * - legacy LayerNorm names `….gamma` / `….beta` (→ `.weight` / `.bias`);
 * - the tied MLM decoder weight present or absent (dropped: the word embeddings are the decoder);
 * - `….decoder.bias` stored instead of (or beside) the MLM head's `….bias` (they are one parameter in HF);
 * - non-persistent buffers saved by some versions (`….position_ids`, `….token_type_ids`), ignored.
 * Missing, unexpected and shape-mismatched keys are reported the way `transformers` reports them.
 */
import { type Backend, type DType, type Tensor, cast, getBackend, tensor } from '@symfuse/tensor';
import { ParamMismatchError } from './errors.js';
import { type InitOptions, initParam } from './init.js';
import { basePrefix, expectedParams, mlmHeadNames } from './names.js';
import { resolveHead } from './resolve-head.js';
import type { EncoderConfig, HeadKind, ParamMap } from './types.js';
import { type ValidConfig, validateConfig } from './validate-config.js';

/** A parameter whose stored shape differs from the configuration's. */
export interface ShapeMismatch {
  /** Canonical name. */
  readonly name: string;
  /** Name in the source, when it was renamed. */
  readonly sourceName: string;
  readonly expected: readonly number[];
  readonly found: readonly number[];
}

/** How the source's keys map onto the canonical names, computed from names and shapes only. */
export interface LoadPlan {
  readonly config: ValidConfig;
  readonly head: HeadKind;
  /** Canonical name → source name, for every parameter that will be loaded. */
  readonly take: Map<string, string>;
  /** Canonical names the source lacks. */
  readonly missing: string[];
  /** Source names that are not parameters of this model (HF's "unused weights"). */
  readonly unexpected: string[];
  /** Parameters whose stored shape differs from the configuration's. */
  readonly mismatched: ShapeMismatch[];
  /** Source names mapped to other canonical names (`from` → `to`). */
  readonly renamed: { from: string; to: string }[];
  /** Source names dropped on purpose: tied decoder weights, duplicate aliases, buffers. */
  readonly ignored: string[];
}

/** Options of {@link planParamLoad} and {@link loadParams}. */
export interface LoadOptions {
  /** Head to load; default: from `config.architectures`, else from the head parameters present. */
  head?: HeadKind;
  /** Throw a {@link ParamMismatchError} naming every missing, unexpected or mismatched key. */
  strict?: boolean;
  /**
   * Report shape mismatches instead of throwing (like `ignore_mismatched_sizes=True`); such
   * parameters count as missing.
   */
  ignoreMismatchedSizes?: boolean;
  /**
   * Create missing (and ignored mismatched) parameters with {@link initParam} using these options,
   * as `from_pretrained` does for a new head. Without it they are left out of `params`.
   */
  initMissing?: InitOptions;
  /** Cast floating parameters to this dtype (default: keep the stored dtype). */
  dtype?: Extract<DType, 'f32' | 'f64'>;
  /** Backend the parameters must live on; CPU tensors are copied there (default: leave them). */
  backend?: Backend | string;
}

/** Result of {@link loadParams}: the parameters and the report. */
export interface LoadResult extends Omit<LoadPlan, 'take' | 'config'> {
  readonly params: ParamMap;
}

const BUFFER = /(^|\.)(position_ids|token_type_ids)$/;
const BASE_PARTS = /^(embeddings|encoder|pooler)\./;

/** The canonical candidate for a source key (prefix restored, legacy LayerNorm names fixed). */
function normalizeKey(key: string, prefix: string): string {
  let k = key;
  if (/\.gamma$/.test(k)) k = `${k.slice(0, -'gamma'.length)}weight`;
  else if (/\.beta$/.test(k)) k = `${k.slice(0, -'beta'.length)}bias`;
  if (BASE_PARTS.test(k)) k = `${prefix}.${k}`;
  return k;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Maps source names and shapes onto `config`'s canonical parameters without reading any data (so a
 * lazy checkpoint reads only what it needs). Exact canonical keys win over renamed aliases.
 * @throws ParamMismatchError for shape mismatches (unless `ignoreMismatchedSizes`) and, with
 * `strict`, for missing or unexpected keys.
 */
export function planParamLoad(
  source: ReadonlyMap<string, readonly number[]>,
  config: EncoderConfig,
  options: LoadOptions = {},
): LoadPlan {
  const head = resolveHead(config, mapNames(source, config), options.head);
  const cfg = validateConfig(config, head);
  const expected = expectedParams(cfg, head);
  const prefix = basePrefix(cfg.modelType);
  const mlm = mlmHeadNames(cfg.modelType);
  const take = new Map<string, string>();
  const unexpected: string[] = [];
  const mismatched: ShapeMismatch[] = [];
  const renamed: { from: string; to: string }[] = [];
  const ignored: string[] = [];

  // Pass 1: exact names; pass 2: aliases, which only fill what pass 1 left empty.
  const aliases: [string, string][] = [];
  for (const key of source.keys()) {
    if (BUFFER.test(key)) ignored.push(key);
    else if (key === mlm.decoderWeight && head === 'mlm') ignored.push(key); // tied to the word embeddings
    else if (expected.has(key)) take.set(key, key);
    else {
      let canon = normalizeKey(key, prefix);
      if (key === mlm.decoderBiasAlias && head === 'mlm') canon = mlm.bias;
      aliases.push([key, canon]);
    }
  }
  for (const [key, canon] of aliases) {
    if (!expected.has(canon)) unexpected.push(key);
    else if (take.has(canon)) ignored.push(key); // an alias of a parameter already loaded
    else {
      take.set(canon, key);
      renamed.push({ from: key, to: canon });
    }
  }
  for (const [canon, key] of take) {
    const want = expected.get(canon) as readonly number[];
    const found = source.get(key) as readonly number[];
    if (want.length !== found.length || want.some((d, i) => d !== found[i])) {
      mismatched.push({ name: canon, sourceName: key, expected: want, found });
    }
  }
  for (const m of mismatched) take.delete(m.name);
  const missing = [...expected.keys()].filter((n) => !take.has(n));

  const plan: LoadPlan = { config: cfg, head, take, missing, unexpected, mismatched, renamed, ignored };
  if (mismatched.length > 0 && !options.ignoreMismatchedSizes) throw mismatchError(plan, cfg, false);
  if (options.strict && (missing.length > 0 || unexpected.length > 0 || mismatched.length > 0)) throw mismatchError(plan, cfg, true);
  return plan;
}

function mapNames(source: ReadonlyMap<string, unknown>, config: EncoderConfig): Set<string> {
  const prefix = config.modelType === 'roberta' ? 'roberta' : 'bert';
  return new Set([...source.keys()].map((k) => normalizeKey(k, prefix)));
}

function list(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … and ${names.length - max} more` : shown;
}

function mismatchError(plan: LoadPlan, cfg: ValidConfig, strict: boolean): ParamMismatchError {
  const parts: string[] = [];
  if (plan.mismatched.length > 0) {
    const mm = plan.mismatched.map((m) => `${m.name} has shape ${fmt(m.found)}, expected ${fmt(m.expected)}`);
    parts.push(`${plan.mismatched.length} size mismatch(es): ${list(mm, 5)}`);
  }
  if (strict && plan.missing.length > 0) parts.push(`${plan.missing.length} missing: ${list(plan.missing)}`);
  if (strict && plan.unexpected.length > 0) parts.push(`${plan.unexpected.length} unexpected: ${list(plan.unexpected)}`);
  const what = `${cfg.modelType} (${cfg.layerNormPlacement}-LN, ${cfg.numLayers} layers, d=${cfg.hiddenSize}, head '${plan.head}')`;
  const hint = strict ? '' : '; pass ignoreMismatchedSizes to re-initialise them';
  return new ParamMismatchError('loadParams', `parameters do not match a ${what}: ${parts.join('; ')}${hint}`);
}

/**
 * Loads the tensors of `source` (e.g. every tensor of a checkpoint) as `config`'s parameters.
 * Tensors are taken as they are (no copy) unless `dtype` or `backend` asks for a conversion.
 * @returns the parameters under canonical names, and the report (see {@link LoadPlan}).
 * @throws ParamMismatchError as {@link planParamLoad} does.
 */
export function loadParams(
  source: ReadonlyMap<string, Tensor> | Iterable<readonly [string, Tensor]>,
  config: EncoderConfig,
  options: LoadOptions = {},
): LoadResult {
  const tensors = source instanceof Map ? (source as ReadonlyMap<string, Tensor>) : new Map(source);
  const shapes = new Map<string, readonly number[]>();
  for (const [k, t] of tensors) shapes.set(k, t.shape);
  const plan = planParamLoad(shapes, config, options);
  const params: ParamMap = new Map();
  const target = options.backend === undefined ? undefined : typeof options.backend === 'string' ? getBackend(options.backend) : options.backend;
  const expected = expectedParams(plan.config, plan.head);
  for (const name of expected.keys()) {
    const key = plan.take.get(name);
    if (key !== undefined) params.set(name, convert(tensors.get(key) as Tensor, name, options.dtype, target));
    else if (options.initMissing) {
      params.set(name, initParam(plan.config, name, expected.get(name) as readonly number[], { dtype: options.dtype, backend: target, ...options.initMissing }));
    }
  }
  const { take: _t, config: _c, ...report } = plan;
  return { ...report, params };
}

function convert(t: Tensor, name: string, dtype: LoadOptions['dtype'], target: Backend | undefined): Tensor {
  let out = t;
  if (target && out.backend !== target) {
    const host = out.backend.readSync(out.storage);
    if (!host) {
      throw new ParamMismatchError(name, `lives on backend '${out.backend.name}', which cannot be read synchronously; load from CPU tensors to move them to '${target.name}'`);
    }
    out = tensor(host, out.shape, { backend: target });
  }
  if (dtype && out.dtype !== dtype) {
    if (out.dtype === 'i32') throw new ParamMismatchError(name, `has dtype i32; expected a floating-point parameter`);
    out = cast(out, dtype);
  }
  return out;
}
