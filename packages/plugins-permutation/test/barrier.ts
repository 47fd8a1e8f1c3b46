/**
 * Midpoint loss barrier of vanilla averaging vs Verma–Elbayad alignment (for the headline test and
 * the development script): `L(½θ_A + ½θ_B′) − ½(L(θ_A) + L(θ_B))` with the MLM loss = mean NLL of
 * fixed masked tokens. A local scorer (the same computation as `@symfuse/eval`'s pseudo-perplexity),
 * because plugins sit below eval in the package order.
 */
import { type FixedMaskedBlock, fixedMasks } from '@symfuse/data';
import { type EncoderConfig, forwardMlmAt } from '@symfuse/models';
import { applyTransform, lapjvSolver, type ModelBatch, type ModelWeights, type SymmetrySpec } from '@symfuse/symmetry';
import { fromHost, type Tensor, tidy } from '@symfuse/tensor';
import { alignVermaElbayad, type VermaElbayadDiagnostics, type VermaElbayadOptions, vermaElbayadOptions } from '../src/index.js';
import { correlations } from './helpers.js';

/** Mean NLL (nats) of the masked tokens of `masked` under `m`. */
export function maskedNll(m: ModelWeights, masked: readonly FixedMaskedBlock[], batchSize = 8): number {
  const seqLen = masked[0].inputIds.length;
  let nll = 0;
  let count = 0;
  for (let start = 0; start < masked.length; start += batchSize) {
    const group = masked.slice(start, start + batchSize);
    const ids = new Int32Array(group.length * seqLen);
    const rows: number[] = [];
    const labels: number[] = [];
    group.forEach((b, k) => {
      ids.set(b.inputIds, k * seqLen);
      for (const p of b.positions) {
        rows.push(k * seqLen + p);
        labels.push(b.labels[p]);
      }
    });
    tidy(() => {
      const out = forwardMlmAt({ config: m.config as EncoderConfig, params: new Map(m.params) }, { ids, batch: group.length, seqLen }, Int32Array.from(rows));
      const logits = out.logits!.dataSync();
      const v = out.logits!.shape[1];
      for (let r = 0; r < rows.length; r++) {
        const off = r * v;
        let mx = -Infinity;
        for (let j = 0; j < v; j++) mx = Math.max(mx, logits[off + j]);
        let s = 0;
        for (let j = 0; j < v; j++) s += Math.exp(logits[off + j] - mx);
        nll += mx + Math.log(s) - logits[off + labels[r]];
      }
      count += rows.length;
    });
  }
  return nll / count;
}

/** `λ·A + (1−λ)·B` parameter by parameter. */
export function interpolate(a: ModelWeights, b: ModelWeights, lambda: number): ModelWeights {
  const params = new Map<string, Tensor>();
  for (const [name, t] of a.params) {
    const x = t.dataSync() as Float32Array;
    const y = b.params.get(name)!.dataSync() as Float32Array;
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = lambda * x[i] + (1 - lambda) * y[i];
    params.set(name, fromHost(out, t.shape));
  }
  return { ...a, params, id: `lerp(${lambda})` };
}

/** Blocks → fixed evaluation masks and padding-free correlation batches. */
export function mlmData(blocks: readonly Int32Array[], tokens: { maskId: number; specialIds: readonly number[] }, seed: number, batchSize = 4): { masked: FixedMaskedBlock[]; batches: ModelBatch[] } {
  const masked = fixedMasks(blocks, seed, { maskId: tokens.maskId, specialIds: tokens.specialIds, rate: 0.15 });
  const batches: ModelBatch[] = [];
  const seqLen = blocks[0].length;
  for (let s = 0; s < blocks.length; s += batchSize) {
    const group = blocks.slice(s, s + batchSize);
    const ids = new Int32Array(group.length * seqLen);
    group.forEach((b, k) => ids.set(b, k * seqLen));
    batches.push({ ids, mask: new Int32Array(ids.length).fill(1), batch: group.length, seqLen });
  }
  return { masked, batches };
}

/** One aligned variant of {@link barrierStudy}. */
export interface AlignedVariant {
  readonly options: Partial<VermaElbayadOptions>;
  /** `L(½θ_A + ½θ_B′)`. */
  readonly mid: number;
  /** `L(mid) − ½(L_A + L_B)`. */
  readonly barrier: number;
  readonly alignMs: number;
  readonly diagnostics: VermaElbayadDiagnostics;
}

/** Result of {@link barrierStudy}. */
export interface BarrierStudy {
  readonly lossA: number;
  readonly lossB: number;
  readonly vanillaMid: number;
  readonly vanillaBarrier: number;
  readonly collectMs: number;
  readonly variants: Readonly<Record<string, AlignedVariant>>;
}

/**
 * Collects correlations on `corrBatches` once, then for vanilla averaging and for each aligned
 * variant scores the midpoint on `evalMasked` (the endpoints too, once: alignment preserves B's loss).
 */
export async function barrierStudy(
  spec: SymmetrySpec,
  a: ModelWeights,
  b: ModelWeights,
  corrBatches: readonly ModelBatch[],
  evalMasked: readonly FixedMaskedBlock[],
  variants: Readonly<Record<string, Partial<VermaElbayadOptions>>>,
): Promise<BarrierStudy> {
  const t0 = performance.now();
  const stats = await correlations(spec, a, b, corrBatches);
  const collectMs = performance.now() - t0;
  const lossA = maskedNll(a, evalMasked);
  const lossB = maskedNll(b, evalMasked);
  const base = (lossA + lossB) / 2;
  const vanillaMid = maskedNll(interpolate(a, b, 0.5), evalMasked);
  const out: Record<string, AlignedVariant> = {};
  for (const [name, options] of Object.entries(variants)) {
    const t1 = performance.now();
    const r = await alignVermaElbayad({ spec, anchor: a, model: b, spaces: spec.spaces, options: vermaElbayadOptions.parse(options), stats: new Map([['correlation', stats]]), solver: lapjvSolver(), seed: 0 });
    const alignMs = performance.now() - t1;
    const aligned = { ...b, params: applyTransform(spec, r.transform, b.params) };
    const mid = maskedNll(interpolate(a, aligned, 0.5), evalMasked);
    out[name] = { options, mid, barrier: mid - base, alignMs, diagnostics: r.diagnostics as unknown as VermaElbayadDiagnostics };
  }
  return { lossA, lossB, vanillaMid, vanillaBarrier: vanillaMid - base, collectMs, variants: out };
}
