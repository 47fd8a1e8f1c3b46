/**
 * End-to-end: `symfuse demo` on the fixture MLMs (reduced sample: `--quick` / SYMFUSE_DEMO_QUICK=1),
 * through the real binary. Needs `fixtures/mlm-seed1` and `mlm-seed2` (or SYMFUSE_FIXTURES); skipped,
 * saying so in its name, when they are absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { evalSample, readMergeConfig, resolveSource } from '@symfuse/cli';
import { findAll, lossBarrier, parseSvg, type RunReport, seriesNames } from '@symfuse/eval';
import { loadModelDir } from '@symfuse/models';
import { describe, expect, it } from 'vitest';
import { FIXTURES, leftovers, symfuse, tempDir } from './cli-helpers.js';

const missing = ['mlm-seed1', 'mlm-seed2'].filter((d) => !fs.existsSync(path.join(FIXTURES, d, 'config.json')));
const skip = missing.length ? ` [SKIPPED: ${missing.join(', ')} not in ${FIXTURES}]` : '';

describe('symfuse demo', () => {
  it.skipIf(missing.length > 0)(
    `aligns and merges the fixture MLMs and writes a complete, consistent output${skip}`,
    async () => {
      const dir = tempDir();
      const out = path.join(dir, 'symfuse-demo');
      const r = await symfuse(['demo', '--out', out], { env: { SYMFUSE_DEMO_QUICK: '1', SYMFUSE_FIXTURES: FIXTURES } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/barrier \(Eq\. 10\)/);
      expect(r.stderr).toMatch(/evaluate: /); // progress as plain lines (stderr is not a terminal)
      expect(leftovers(dir)).toEqual([]);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
      expect(report.command).toBe('demo');
      expect(report.alignment?.[0]).toMatchObject({ aligner: 'verma-elbayad', preservesFunction: true });
      // Alignment raises every site's mean same-index correlation (Fig. 4).
      for (const s of report.alignment![0].sites) expect(s.meanAfter, s.site).toBeGreaterThan(s.meanBefore);

      const ev = report.evaluation!;
      expect(ev.kind).toBe('mlm');
      const { vanilla, aligned } = ev.curves!;
      expect(vanilla.lambdas).toEqual([0, 0.25, 0.5, 0.75, 1]);
      for (const c of [vanilla, aligned]) {
        const again = lossBarrier(c.lambdas, c.losses);
        expect(c.barrier).toBeCloseTo(again.barrier, 12);
        expect(c.barrierLinear).toBeCloseTo(again.barrierLinear, 12);
        c.pppl!.forEach((p, i) => expect(p).toBeCloseTo(Math.exp(c.losses[i]), 6));
      }
      // The merge is the simple average of the anchor and the aligned model: the aligned curve at λ = ½.
      expect(ev.merged!.loss).toBeCloseTo(aligned.losses[2], 4);

      // The merged model loads back and scores what the report says.
      const merged = loadModelDir(out);
      expect(merged.head).toBe('mlm');
      const sample = evalSample(resolveSource(String(ev.sample.data), 'test'), merged.tokenizer!, merged.config, 'mlm', { blocks: Number(ev.sample.blocks), examples: 0, batchSize: 8, seed: Number(ev.sample.seed), blockLength: Number(ev.sample.blockLength) });
      expect((await sample.evaluator.evaluate({ config: merged.config, params: merged.params })).loss).toBeCloseTo(ev.merged!.loss, 5);

      // Plots.
      const plots = report.files.filter((f) => f.startsWith('plots/'));
      expect(plots).toEqual(expect.arrayContaining(['plots/loss-curves.svg', 'plots/pppl-curves.svg', 'plots/correlation-per-layer.svg', 'plots/distance-per-layer.svg', 'plots/correlation-layer-0-attention-context.svg']));
      expect(seriesNames(fs.readFileSync(path.join(out, 'plots/pppl-curves.svg'), 'utf8'))).toEqual(['Vanilla', 'Aligned']);
      const heat = parseSvg(fs.readFileSync(path.join(out, 'plots/correlation-layer-0-attention-context.svg'), 'utf8'));
      expect(findAll(heat, (n) => n.attrs.class === 'panel').map((n) => n.attrs['data-panel'])).toEqual(['before alignment', 'after alignment']);
      // symfuse.yaml reproduces the run with 'symfuse merge'.
      const cfg = readMergeConfig(path.join(out, 'symfuse.yaml'));
      expect(cfg.align[0]).toMatchObject({ aligner: 'verma-elbayad', spaces: ['ffn', 'attention', 'residual'], options: { mha: 'head-perm', residual: 'first' } });
      expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/### Loss barriers/);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    120_000,
  );
});
