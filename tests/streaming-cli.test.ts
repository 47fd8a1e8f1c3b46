/**
 * End-to-end: `symfuse merge` with `streaming: true`, through the real binary, on the fixture MLMs
 * (`fixtures/mlm-seed1`, `mlm-seed2`; skipped, saying so, when absent) with a small statistics
 * sample: the merged model directory holds byte for byte the model files the in-memory merge of the
 * same configuration writes, it loads back and scores what the report says; the same holds for tiny
 * classifiers on padded batches, out-of-domain scores included; and a configuration streaming cannot
 * run fails with exit code 2, naming the key and what is unsupported, writing nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { evalSample, resolveSource } from '@symfuse/cli';
import type { RunReport } from '@symfuse/eval';
import { loadModelDir } from '@symfuse/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, leftovers, symfuse, tempDir, tinyModel, writeCorpus, writeTask } from './cli-helpers.js';

const missing = ['mlm-seed1', 'mlm-seed2'].filter((d) => !fs.existsSync(path.join(FIXTURES, d, 'config.json')));
const skip = missing.length ? ` [SKIPPED: ${missing.join(', ')} not in ${FIXTURES}]` : '';

let dir: string;
let corpus: string;
beforeAll(() => {
  dir = tempDir('symfuse-streaming-');
  corpus = writeCorpus(dir, 120);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function yaml(out: string, extra: string[] = [], aligner = 'verma-elbayad', evalExtra = ''): string {
  return [
    'models:',
    `  - path: ${path.join(FIXTURES, 'mlm-seed1')}`,
    `  - path: ${path.join(FIXTURES, 'mlm-seed2')}`,
    `data: ${corpus}`,
    'collect: { blocks: 4, batchSize: 4 }',
    'align:',
    `  - aligner: ${aligner}`,
    '    spaces: [ffn, attention]',
    ...(aligner === 'verma-elbayad' ? ['    options: { mha: head-perm, residual: identity }'] : []),
    'merge: { method: regmean, alpha: 0.9 }',
    `eval: { data: ${corpus}, points: 3, blocks: 2, seed: 7${evalExtra} }`,
    `output: ${out}`,
    ...extra,
  ].join('\n');
}

const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];

describe('symfuse merge, streaming: true', () => {
  it.skipIf(missing.length > 0)(`writes the in-memory merge's model files, which load back and score what the report says${skip}`, async () => {
    const out = path.join(dir, 'streamed');
    const ref = path.join(dir, 'in-memory');
    fs.writeFileSync(path.join(dir, 'streaming.yaml'), yaml(out, ['streaming: true']));
    // The in-memory run skips the curves (streaming does not compute them); everything else is the same.
    fs.writeFileSync(path.join(dir, 'in-memory.yaml'), yaml(ref, [], 'verma-elbayad', ', curves: []'));
    const [s, m] = await Promise.all([symfuse(['merge', path.join(dir, 'streaming.yaml'), '--json']), symfuse(['merge', path.join(dir, 'in-memory.yaml'), '--quiet'])]);
    expect(s.code, s.stderr).toBe(0);
    expect(m.code, m.stderr).toBe(0);
    expect(leftovers(dir)).toEqual([]);
    for (const f of MODEL_FILES) expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(ref, f))), f).toBe(true);
    for (const f of ['symfuse.yaml', 'report.json', 'report.md']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);

    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
    expect(JSON.parse(s.stdout)).toEqual(report);
    expect(report.alignment?.[0]).toMatchObject({ aligner: 'verma-elbayad', preservesFunction: true, spaces: 12 });
    expect(report.warnings.join('\n')).toMatch(/streaming: the interpolation curves .* are not computed/);
    const ev = report.evaluation!;
    expect(ev.curves).toBeUndefined();
    expect(ev.models).toHaveLength(1);
    // The merged model loads back and scores what the report says, on the report's own sample.
    const merged = loadModelDir(out);
    const sample = evalSample(resolveSource(String(ev.sample.data), 'test'), merged.tokenizer!, merged.config, merged.head, { blocks: Number(ev.sample.blocks), examples: 0, batchSize: 8, seed: Number(ev.sample.seed), blockLength: Number(ev.sample.blockLength) });
    expect(sample.sample).toEqual(ev.sample);
    const loss = (await sample.evaluator.evaluate({ config: merged.config, params: merged.params })).loss;
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(ev.merged!.loss, 5);
    const inMemory = JSON.parse(fs.readFileSync(path.join(ref, 'report.json'), 'utf8')) as RunReport;
    expect(ev.merged!.loss).toBeCloseTo(inMemory.evaluation!.merged!.loss, 9);
    expect(ev.anchor!.loss).toBeCloseTo(inMemory.evaluation!.anchor!.loss, 9);
  }, 120_000);

  it('classifiers (padded batches): the same model files and the same scores, out-of-domain included, as in memory', async () => {
    const where = fs.mkdtempSync(path.join(dir, 'cls-'));
    const labels = ['peace', 'war'];
    const ca = tinyModel(path.join(where, 'ca'), 21, { classifier: labels });
    const cb = tinyModel(path.join(where, 'cb'), 22, { classifier: labels });
    const task = writeTask(where);
    const config = (out: string, extra: string) =>
      [`models: [{ path: ${ca} }, { path: ${cb} }]`, `data: ${task}`, 'collect: { examples: 16, batchSize: 4 }', 'align: [{ aligner: verma-elbayad, spaces: [ffn, attention] }]', 'merge: { method: regmean, alpha: 0.5 }', `eval: { points: 3, examples: 12, ood: ${task}, curves: [] }`, `output: ${out}`, extra].join('\n');
    const outs = ['streamed', 'in-memory'].map((n) => path.join(where, n));
    fs.writeFileSync(path.join(where, 's.yaml'), config(outs[0], 'streaming: true'));
    fs.writeFileSync(path.join(where, 'm.yaml'), config(outs[1], ''));
    const runs = await Promise.all(['s.yaml', 'm.yaml'].map((f) => symfuse(['merge', path.join(where, f), '--quiet'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    for (const f of MODEL_FILES) expect(fs.readFileSync(path.join(outs[0], f)).equals(fs.readFileSync(path.join(outs[1], f))), f).toBe(true);
    const [s, m] = outs.map((o) => JSON.parse(fs.readFileSync(path.join(o, 'report.json'), 'utf8')) as RunReport);
    expect(s.evaluation!.kind).toBe('classification');
    for (const role of ['anchor', 'merged'] as const) expect(s.evaluation![role]!.loss).toBeCloseTo(m.evaluation![role]!.loss, 9);
    expect(s.outOfDomain!.map((d) => d.domain)).toEqual(m.outOfDomain!.map((d) => d.domain));
    s.outOfDomain!.forEach((d, i) => {
      expect(Object.keys(d.scores)).toEqual(['anchor', 'model 1', 'merged']);
      for (const role of Object.keys(d.scores)) expect(d.scores[role].loss).toBeCloseTo(m.outOfDomain![i].scores[role].loss, 9);
    });
  });

  it('refuses what it cannot stream, and a streaming key that is not a boolean, naming the key; nothing is written', async () => {
    const out = path.join(dir, 'refused');
    const cases: [string, RegExp][] = [
      [yaml(out, ['streaming: true'], 'rotation'), /streaming = true is not supported for this configuration: align\[0\]\.aligner 'rotation' \(streaming supports only 'verma-elbayad'/],
      [yaml(out, ['streaming: true']).replace('method: regmean, alpha: 0.9', 'method: fisher'), /streaming = true is not supported .*merge\.method 'fisher' \(streaming supports 'regmean' and 'simple'/],
      [yaml(out, ['streaming: true']).replace('residual: identity', 'residual: last'), /align\[0\]\.options\.residual 'last' \(streaming needs 'identity'/],
      [yaml(out, ['streaming: yes please']), /streaming = "yes please": .*boolean/],
    ];
    const runs = await Promise.all(cases.map(([text], i) => {
      const file = path.join(dir, `refused-${i}.yaml`);
      fs.writeFileSync(file, text);
      return symfuse(['merge', file]);
    }));
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
    });
    expect(fs.existsSync(out)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });
});
