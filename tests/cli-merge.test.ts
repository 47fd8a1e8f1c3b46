/**
 * End-to-end: `symfuse merge` through the real binary on tiny models — outputs exist and load back,
 * the report's numbers match a recomputation in this process, published (sharded, combined)
 * statistics give the same merge as statistics collected from data, the plots are valid SVG with the
 * expected series, and Ctrl-C leaves no partial output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { evalSample, readMergeConfig, resolveSource } from '@symfuse/cli';
import { lossBarrier, parseSvg, type RunReport, seriesNames } from '@symfuse/eval';
import { loadModelDir } from '@symfuse/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, startSymfuse, symfuse, tempDir, tinyModel, writeCorpus, writeTask } from './cli-helpers.js';

let dir: string;
let a: string;
let b: string;
let corpus: string;

beforeAll(() => {
  dir = tempDir();
  a = tinyModel(path.join(dir, 'a'), 11);
  b = tinyModel(path.join(dir, 'b'), 12);
  corpus = writeCorpus(dir);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function mergeYaml(out: string, extra = '', bStats = ''): string {
  return [
    'models:',
    `  - path: ${a}`,
    `  - path: ${b}`,
    ...(bStats ? [`    stats: ${bStats}`] : []),
    `data: ${corpus}`,
    'collect: { blocks: 4, batchSize: 4 }',
    'align:',
    '  - aligner: verma-elbayad',
    '    spaces: [ffn, attention]',
    '    options: { mha: head-perm, residual: identity }',
    'merge: { method: regmean, alpha: 0.9 }',
    `eval: { data: ${corpus}, points: 5, blocks: 3, seed: 7 }`,
    `output: ${out}`,
    extra,
  ].join('\n');
}

describe('symfuse merge (tiny models)', () => {
  it('writes a loadable model, a report whose numbers recompute, and valid plots', async () => {
    const out = path.join(dir, 'merged');
    const file = path.join(dir, 'merge.yaml');
    fs.writeFileSync(file, mergeYaml(out));
    const inputs = [a, b].map((d) => fs.readFileSync(path.join(d, 'model.safetensors')));
    const r = await symfuse(['merge', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['model.safetensors', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'symfuse.yaml', 'report.json', 'report.md']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(leftovers(dir)).toEqual([]);
    // Inputs untouched.
    [a, b].forEach((d, k) => expect(fs.readFileSync(path.join(d, 'model.safetensors')).equals(inputs[k])).toBe(true));

    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
    expect(JSON.parse(r.stdout)).toEqual(report);
    expect(report.files).toContain('plots/loss-curves.svg');
    for (const f of report.files) expect(fs.existsSync(path.join(out, f)), f).toBe(true);

    // The barrier numbers follow from the stored curves.
    const ev = report.evaluation!;
    for (const name of ['vanilla', 'aligned']) {
      const c = ev.curves![name];
      const again = lossBarrier(c.lambdas, c.losses);
      expect(c.barrier).toBeCloseTo(again.barrier, 12);
      expect(c.barrierLinear).toBeCloseTo(again.barrierLinear, 12);
      expect(c.lambdas).toEqual([0, 0.25, 0.5, 0.75, 1]);
    }
    // Alignment preserves the function: the aligned curve starts where the vanilla one does.
    expect(ev.curves!.aligned.losses[0]).toBeCloseTo(ev.curves!.vanilla.losses[0], 4);
    expect(ev.curves!.aligned.losses[4]).toBe(ev.anchor!.loss);

    // The merged model loads back and scores what the report says on the same sample.
    const merged = loadModelDir(out);
    const source = resolveSource(String(ev.sample.data), 'test');
    const sample = evalSample(source, merged.tokenizer!, merged.config, merged.head, { blocks: Number(ev.sample.blocks), examples: 0, batchSize: 8, seed: Number(ev.sample.seed), blockLength: Number(ev.sample.blockLength) });
    expect(sample.sample).toEqual(ev.sample);
    expect((await sample.evaluator.evaluate({ config: merged.config, params: merged.params })).loss).toBeCloseTo(ev.merged!.loss, 5);
    const anchor = loadModelDir(a);
    expect((await sample.evaluator.evaluate({ config: anchor.config, params: anchor.params })).loss).toBeCloseTo(ev.anchor!.loss, 9);

    // Plots: valid XML with the expected series.
    const loss = fs.readFileSync(path.join(out, 'plots/loss-curves.svg'), 'utf8');
    expect(seriesNames(loss).map((n) => n.split(' ')[0])).toEqual(['Vanilla', 'Aligned']);
    expect(seriesNames(fs.readFileSync(path.join(out, 'plots/correlation-per-layer.svg'), 'utf8'))).toEqual(['MHA before', 'MHA after', 'FFN before', 'FFN after']);
    expect(seriesNames(fs.readFileSync(path.join(out, 'plots/distance-per-layer.svg'), 'utf8'))).toEqual(['vanilla', 'aligned']);
    for (const f of report.files.filter((x) => x.endsWith('.svg'))) parseSvg(fs.readFileSync(path.join(out, f), 'utf8'));

    // symfuse.yaml is a valid configuration of the same run.
    const again = readMergeConfig(path.join(out, 'symfuse.yaml'));
    expect(again.merge).toEqual({ method: 'regmean', alpha: 0.9 });
    expect(again.models.map((m) => m.path)).toEqual([a, b]);
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| vanilla \| .* \|/);
    expect(md).toMatch(/Method \*\*regmean\*\*/);
  });

  it('published statistics (two shards, combined) give the same merge as statistics collected from data', async () => {
    const shards = [1, 2].map((i) => path.join(dir, `b-gram-${i}.safetensors`));
    const runs = await Promise.all(shards.map((f, i) => symfuse(['stats', '--model', b, '--kind', 'gram', '--data', corpus, '--blocks', '4', '--batch-size', '2', '--shard', `${i + 1}/2`, '--out', f, '--quiet'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const combined = path.join(dir, 'b-gram.safetensors');
    const c = await symfuse(['stats', 'combine', ...shards, '--out', combined, '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ kind: 'gram' });
    const again = await symfuse(['stats', 'combine', ...shards, '--out', combined]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);

    const out = path.join(dir, 'merged-published');
    const file = path.join(dir, 'merge-published.yaml');
    // No alignment here: published Grams describe the model as it was given.
    fs.writeFileSync(file, mergeYaml(out, '', combined).replace(/align:\n(.*\n){3}/, 'align: []\n'));
    const ref = path.join(dir, 'merged-collected');
    const refFile = path.join(dir, 'merge-collected.yaml');
    fs.writeFileSync(refFile, mergeYaml(ref).replace(/align:\n(.*\n){3}/, 'align: []\n'));
    const [p, q] = await Promise.all([symfuse(['merge', file, '--quiet']), symfuse(['merge', refFile, '--quiet'])]);
    expect(p.code, p.stderr).toBe(0);
    expect(q.code, q.stderr).toBe(0);
    const mp = loadModelDir(out).params;
    const mq = loadModelDir(ref).params;
    let worst = 0;
    for (const [name, t] of mq) {
      const x = t.dataSync();
      const y = mp.get(name)!.dataSync();
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    }
    expect(worst).toBeLessThan(1e-5);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report.models[1].stats).toEqual([combined]);
  });

  it('Ctrl-C (SIGINT) during the job leaves no output and no temporary directory', async () => {
    const where = fs.mkdtempSync(path.join(dir, 'sigint-'));
    const out = path.join(where, 'out');
    const file = path.join(where, 'long.yaml');
    fs.writeFileSync(file, mergeYaml(out).replace('points: 5, blocks: 3', 'points: 201, blocks: 8'));
    const child = startSymfuse(['merge', file]);
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      let sent = false;
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        // Interrupt once the evaluation has started: the merged model is already in the staging directory.
        if (!sent && /evaluate: [1-9]/.test(stderr)) {
          sent = true;
          expect(leftovers(where).length).toBe(1);
          child.kill('SIGINT');
        }
      });
      child.on('close', resolve);
    });
    expect(stderr).toMatch(/interrupted by SIGINT; no output was written/);
    expect(code).toBe(130);
    expect(fs.existsSync(out)).toBe(false);
    expect(leftovers(where)).toEqual([]);
  });

  it('classifiers: accuracy / macro-F1 curves and out-of-domain scores per held-out domain', async () => {
    const where = fs.mkdtempSync(path.join(dir, 'cls-'));
    const labels = ['peace', 'war'];
    const ca = tinyModel(path.join(where, 'ca'), 21, { classifier: labels });
    const cb = tinyModel(path.join(where, 'cb'), 22, { classifier: labels });
    const task = writeTask(where);
    const out = path.join(where, 'out');
    const file = path.join(where, 'cls.yaml');
    fs.writeFileSync(
      file,
      [`models: [{ path: ${ca} }, { path: ${cb} }]`, `data: ${task}`, 'collect: { examples: 16 }', 'align: [{ aligner: weight-matching }]', 'merge: { method: simple }', `eval: { points: 3, examples: 12, ood: ${task} }`, `output: ${out}`].join('\n'),
    );
    const r = await symfuse(['merge', file, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
    const ev = report.evaluation!;
    expect(ev.kind).toBe('classification');
    expect(ev.curves!.vanilla.accuracy).toHaveLength(3);
    for (const s of [ev.anchor!, ev.merged!]) {
      expect(s.accuracy).toBeGreaterThanOrEqual(0);
      expect(s.accuracy).toBeLessThanOrEqual(1);
      expect(s.count).toBe(12);
    }
    // Weight matching is function-preserving: the aligned curve starts at model B's loss.
    expect(ev.curves!.aligned.losses[0]).toBeCloseTo(ev.curves!.vanilla.losses[0], 4);
    expect(report.outOfDomain!.map((d) => d.domain)).toEqual(['south', 'north']);
    for (const d of report.outOfDomain!) expect(Object.keys(d.scores)).toEqual(['anchor', 'model 1', 'merged']);
    expect(report.files).toContain('plots/accuracy-curves.svg');
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/## Out-of-domain evaluation/);
  });
});
