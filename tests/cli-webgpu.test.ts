/**
 * End-to-end: `--backend webgpu` through the real binary on the fixture BERTs, against the same
 * command with `--backend cpu`: `barrier` (with an aligner, so the correlation statistics are
 * collected on the GPU too), `verify`, `predict` (fill-mask and classifier) and `stats` (Fisher:
 * autograd on the GPU). Every number must agree with the CPU's within a relative 1e-3 (|gpu − cpu| ≤ 1e-3·|cpu| +
 * 1e-6; measured on lavapipe: about 1e-8 for losses, 1e-6 for statistics), and exit codes must match.
 *
 * Needs a WebGPU adapter (lavapipe on CI): without one the file is skipped with a visible reason,
 * unless SYMFUSE_REQUIRE_WEBGPU=1 makes that a failure. Needs `fixtures/mlm-seed1`, `mlm-seed2` and
 * `spam-seed1` (or SYMFUSE_FIXTURES); skipped, saying so in the test names, when they are absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadStatsBundle } from '@symfuse/symmetry';
import { probeAdapter } from '@symfuse/tensor/webgpu';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, FIXTURES, symfuse, tempDir, writeCorpus } from './cli-helpers.js';

/** Relative tolerance of every CPU ↔ WebGPU comparison (plus an absolute 1e-6 for values near 0). */
const REL = 1e-3;
const ABS = 1e-6;

const REQUIRE_WEBGPU = process.env.SYMFUSE_REQUIRE_WEBGPU === '1';
const adapter = await probeAdapter();
if (!adapter && !REQUIRE_WEBGPU) {
  console.warn('[cli-webgpu.test] SKIPPED: requestAdapter() returned null (no WebGPU adapter; CI installs lavapipe with .ci/install-webgpu.sh and sets SYMFUSE_REQUIRE_WEBGPU=1)');
}
const missing = ['mlm-seed1', 'mlm-seed2', 'spam-seed1'].filter((d) => !fs.existsSync(path.join(FIXTURES, d, 'config.json')));
const why = !adapter ? ' [SKIPPED: no WebGPU adapter]' : missing.length ? ` [SKIPPED: ${missing.join(', ')} not in ${FIXTURES}]` : '';
const skip = !adapter || missing.length > 0;
const fx = (name: string) => path.join(FIXTURES, name);
const dir = tempDir('symfuse-webgpu-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `args` with `--backend cpu` and `--backend webgpu` side by side. */
async function both(args: readonly string[]): Promise<{ cpu: CliRun; gpu: CliRun }> {
  const [cpu, gpu] = await Promise.all(['cpu', 'webgpu'].map((b) => symfuse([...args, '--backend', b], { env: { SYMFUSE_FIXTURES: FIXTURES } })));
  return { cpu, gpu };
}

/** Stdout of a `--json` run, parsed (the run must have exited with `code`). */
function json(r: CliRun, code = 0): any {
  expect(r.code, r.stderr).toBe(code);
  return JSON.parse(r.stdout);
}

/** Asserts |gpu − cpu| ≤ REL·|cpu| + ABS element by element; returns the largest relative difference. */
function agree(gpu: ArrayLike<number>, cpu: ArrayLike<number>, what: string): number {
  expect(gpu.length, `${what}: length`).toBe(cpu.length);
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    const d = Math.abs(gpu[i] - cpu[i]);
    if (!(d <= REL * Math.abs(cpu[i]) + ABS)) expect.fail(`${what}[${i}]: webgpu ${gpu[i]} vs cpu ${cpu[i]} (|Δ| ${d.toExponential(2)} > ${REL}·|cpu| + ${ABS})`);
    worst = Math.max(worst, d / Math.max(Math.abs(cpu[i]), ABS));
  }
  return worst;
}

// Not concurrent: each test already runs its CPU and WebGPU processes side by side, and the machine
// this runs on may have two cores.
describe('symfuse --backend webgpu agrees with --backend cpu', () => {
  if (!adapter && REQUIRE_WEBGPU) {
    it('a WebGPU adapter is available (SYMFUSE_REQUIRE_WEBGPU=1)', () => {
      throw new Error('requestAdapter() returned null but SYMFUSE_REQUIRE_WEBGPU=1: install lavapipe with .ci/install-webgpu.sh');
    });
  }

  it.skipIf(skip)(`barrier: vanilla and aligned curves (correlations collected on the GPU)${why}`, async () => {
    // Correlations on a small text file (12 blocks), evaluation on 2 held-out SOTU blocks, 3 λ.
    const small = writeCorpus(fs.mkdtempSync(path.join(dir, 'corpus-')), 40);
    const { cpu, gpu } = await both(['barrier', '--a', fx('mlm-seed1'), '--b', fx('mlm-seed2'), '--data', 'sotu', '--stats-data', small, '--points', '3', '--blocks', '2', '--aligner', 'verma-elbayad', '--json', '--quiet']);
    const c = json(cpu);
    const g = json(gpu);
    expect([c.backend, g.backend]).toEqual(['cpu', 'webgpu']);
    expect(g.data).toBe(c.data);
    for (const curve of ['vanilla', 'aligned']) {
      expect(g[curve].lambdas).toEqual(c[curve].lambdas);
      agree(g[curve].losses, c[curve].losses, `${curve}.losses`);
      agree(g[curve].pppl, c[curve].pppl, `${curve}.pppl`);
      // Barriers are differences of losses: compared at the losses' scale.
      expect(Math.abs(g[curve].barrier - c[curve].barrier), `${curve}.barrier`).toBeLessThanOrEqual(REL * c[curve].lossA);
      expect(Math.abs(g[curve].barrierLinear - c[curve].barrierLinear), `${curve}.barrierLinear`).toBeLessThanOrEqual(REL * c[curve].lossA);
    }
  });

  it.skipIf(skip)(`verify: the same verdict and differences for two models; a model is equivalent to itself${why}`, async () => {
    const [{ cpu, gpu }, self] = await Promise.all([both(['verify', fx('mlm-seed1'), fx('mlm-seed2'), '--compare', 'both', '--json']), symfuse(['verify', fx('mlm-seed1'), fx('mlm-seed1'), '--json', '--backend', 'webgpu'])]);
    const c = json(cpu, 1);
    const g = json(gpu, 1);
    expect([c.backend, g.backend]).toEqual(['cpu', 'webgpu']);
    expect(g.equivalent).toBe(false);
    expect(g.outputs.map((o: { output: string }) => o.output)).toEqual(c.outputs.map((o: { output: string }) => o.output));
    agree(g.outputs.flatMap((o: { maxAbsDiff: number; maxAbs: number }) => [o.maxAbsDiff, o.maxAbs]), c.outputs.flatMap((o: { maxAbsDiff: number; maxAbs: number }) => [o.maxAbsDiff, o.maxAbs]), 'verify outputs');
    const s = json(self, 0);
    expect(s.equivalent).toBe(true);
    expect(s.maxAbsDiff).toBe(0);
  });

  it.skipIf(skip)(`predict: fill-mask top-k and classifier probabilities${why}`, async () => {
    const [mlm, cls] = await Promise.all([
      both(['predict', fx('mlm-seed1'), '--text', 'the president of the united [MASK] and the [MASK]', '--top', '5', '--json']),
      both(['predict', fx('spam-seed1'), '--text', 'win money now, click here', '--json']),
    ]);
    const mc = json(mlm.cpu);
    const mg = json(mlm.gpu);
    expect([mc.backend, mg.backend]).toEqual(['cpu', 'webgpu']);
    expect(mg.ids).toEqual(mc.ids);
    expect(mg.masks.length).toBe(2);
    mc.masks.forEach((row: { position: number; top: { id: number; probability: number }[] }, k: number) => {
      expect(mg.masks[k].position).toBe(row.position);
      expect(mg.masks[k].top.map((t: { id: number }) => t.id)).toEqual(row.top.map((t) => t.id));
      agree(mg.masks[k].top.map((t: { probability: number }) => t.probability), row.top.map((t) => t.probability), `mask ${row.position} probabilities`);
    });
    const cc = json(cls.cpu);
    const cg = json(cls.gpu);
    expect([cc.backend, cg.backend]).toEqual(['cpu', 'webgpu']);
    expect(cg.classes.map((c: { label: string }) => c.label)).toEqual(cc.classes.map((c: { label: string }) => c.label));
    agree(cg.classes.map((c: { probability: number }) => c.probability), cc.classes.map((c: { probability: number }) => c.probability), 'class probabilities');
  });

  it.skipIf(skip)(`stats: Fisher statistics (per-example forward and backward passes on the GPU)${why}`, async () => {
    const kinds = ['fisher'] as const;
    const runs = await Promise.all(
      kinds.map((kind) => Promise.all(['cpu', 'webgpu'].map((b) => symfuse(['stats', '--model', fx('spam-seed1'), '--kind', kind, '--data', 'spam:easy-ham-1+spam-1', '--examples', '3', '--batch-size', '3', '--out', path.join(dir, `${kind}-${b}.safetensors`), '--json', '--quiet', '--backend', b])))),
    );
    runs.forEach(([cpu, gpu], k) => {
      expect([json(cpu).backend, json(gpu).backend]).toEqual(['cpu', 'webgpu']);
      const c = loadStatsBundle(path.join(dir, `${kinds[k]}-cpu.safetensors`));
      const g = loadStatsBundle(path.join(dir, `${kinds[k]}-webgpu.safetensors`));
      expect([...g.entries.keys()]).toEqual([...c.entries.keys()]);
      expect(g.meta.fingerprint).toBe(c.meta.fingerprint);
      let scale = 0;
      for (const e of c.entries.values()) for (const v of e.data) scale = Math.max(scale, Math.abs(v));
      for (const [name, e] of c.entries) {
        const ge = g.entries.get(name)!;
        expect(ge.shape, name).toEqual(e.shape);
        // Relative to the entry's own largest value, or — for entries that are rounding noise around
        // an exact 0, such as the Fisher of attention key biases (softmax ignores a constant shift) —
        // to a millionth of the bundle's largest value.
        let max = 0;
        for (const v of e.data) max = Math.max(max, Math.abs(v));
        const tol = REL * Math.max(max, 1e-6 * scale);
        let worst = 0;
        for (let i = 0; i < e.data.length; i++) worst = Math.max(worst, Math.abs(ge.data[i] - e.data[i]));
        expect(worst, `${kinds[k]} entry '${name}': max |webgpu − cpu| (largest |cpu| ${max.toExponential(2)})`).toBeLessThanOrEqual(tol);
      }
    });
  });
});
