/**
 * ALGORITHMS.md's invariant: for the same head pairing, the distance after Procrustes ≤ the distance
 * after the best within-head permutation ≤ the distance with the identity — per head, per space, on
 * random models and on the trained fixture models. Head rows are read straight from the parameter
 * names (test/helpers.ts), the permutation oracle is an exact LAP, and the Procrustes distance is
 * measured on the aligned parameters, so none of the plugin's own bookkeeping is trusted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type EncoderConfig, loadModelDir } from '@symfuse/models';
import { applyTransform, bertFamilyArchitecture, lapjvSolver, type ModelWeights } from '@symfuse/symmetry';
import { randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { rotationAligner, type RotationDiagnostics } from '../src/index.js';
import { dot, headRowsOracle, sqDist } from './helpers.js';

const solver = lapjvSolver();

/** `min_P ‖P X − Y‖²` over permutations of the d_k rows (exact LAP on ⟨Y_i, X_j⟩). */
async function bestPermutationDistance(x: number[][], y: number[][]): Promise<number> {
  const n = x.length;
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cost[i * n + j] = dot(y[i], x[j]);
  const { cols } = await solver.solve(cost, n, n, { maximize: true });
  return sqDist(Array.from(cols, (j) => x[j]), y);
}

async function checkOrdering(a: ModelWeights, b: ModelWeights): Promise<{ identity: number; permutation: number; procrustes: number; rescaled: number }> {
  const cfg = a.config as EncoderConfig;
  const spec = bertFamilyArchitecture().buildSpec(cfg, { params: a.params });
  const spaces = spec.spaces.filter((s) => s.component.startsWith('attention'));
  const aligner = rotationAligner();
  const run = async (rescale: boolean) => {
    const r = await aligner.align({ spec, anchor: a, model: b, spaces, options: aligner.options.parse({ rescale }), stats: new Map(), solver, seed: 0 });
    return { model: { ...b, params: applyTransform(spec, r.transform, b.params) }, diag: r.diagnostics as unknown as RotationDiagnostics };
  };
  const rotated = await run(false);
  const rescaled = await run(true);
  const totals = { identity: 0, permutation: 0, procrustes: 0, rescaled: 0 };
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    for (const which of ['qk', 'vo'] as const) {
      for (let j = 0; j < cfg.numHeads; j++) {
        const y = headRowsOracle(a, layer, which, j);
        const x = headRowsOracle(b, layer, which, j);
        const identity = sqDist(x, y);
        const permutation = await bestPermutationDistance(x, y);
        const procrustes = sqDist(headRowsOracle(rotated.model, layer, which, j), y);
        const scaled = sqDist(headRowsOracle(rescaled.model, layer, which, j), y);
        const tol = 1e-5 * identity; // f32 parameters
        expect(procrustes).toBeLessThanOrEqual(permutation + tol);
        expect(permutation).toBeLessThanOrEqual(identity + tol);
        expect(scaled).toBeLessThanOrEqual(procrustes + tol);
        // The plugin's own per-head report agrees with the measurement.
        const report = rotated.diag.heads[`layer.${layer}.attention.${which}`][j];
        expect(report.after).toBeCloseTo(procrustes, 3);
        expect(report.before).toBeCloseTo(identity, 3);
        totals.identity += identity;
        totals.permutation += permutation;
        totals.procrustes += procrustes;
        totals.rescaled += scaled;
      }
    }
  }
  return totals;
}

describe('distance ordering: Procrustes ≤ best within-head permutation ≤ identity', () => {
  it('holds per head on random models (several shapes), strictly for the totals', async () => {
    for (const [hiddenSize, numHeads, seed] of [
      [16, 4, 1],
      [24, 2, 2],
      [32, 4, 3],
    ] as const) {
      const cfg = smallEncoderConfig({ hiddenSize, numHeads, numLayers: 2, intermediateSize: 2 * hiddenSize });
      const a = randomEncoderModel(cfg, { seed, head: 'mlm' });
      const b = randomEncoderModel(cfg, { seed: seed + 100, head: 'mlm' });
      const t = await checkOrdering(a, b);
      expect(t.procrustes).toBeLessThan(t.permutation);
      expect(t.permutation).toBeLessThan(t.identity);
    }
  });

  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const dirs = ['fixtures/mlm-seed1', 'fixtures/mlm-seed2'].map((d) => path.join(root, d));
  const missing = dirs.filter((d) => !fs.existsSync(path.join(d, 'config.json')));
  const reason = missing.length ? ` (skipped: ${missing.map((d) => path.relative(root, d)).join(' and ')} not found — the fixture models are not trained yet)` : '';
  // Say it where the default reporter shows it, not only in the (hidden) skipped test's title.
  if (missing.length) console.warn(`distance-ordering: fixture case${reason}`);

  it.skipIf(missing.length > 0)(`holds per head on the trained fixtures mlm-seed1 vs mlm-seed2${reason}`, async () => {
    const [a, b] = dirs.map((d) => {
      const m = loadModelDir(d);
      return { config: m.config, params: m.params, head: m.head, id: d } as ModelWeights;
    });
    const t = await checkOrdering(a, b);
    expect(t.procrustes).toBeLessThan(t.identity);
  });
});
