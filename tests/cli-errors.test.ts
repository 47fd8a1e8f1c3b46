/**
 * End-to-end: every bad-input path of `symfuse` through the real binary, with its exit code and a
 * message naming the problem — and that a failed run leaves no output behind. Tiny models, so no
 * fixtures are needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, symfuse, tempDir, tinyModel, writeCorpus } from './cli-helpers.js';

let dir: string;
let a: string;
let b: string;
let nan: string;
let corpus: string;

/** A fresh sub-directory per test: tests run concurrently and check their own leftovers. */
function sub(name: string): string {
  return fs.mkdtempSync(path.join(dir, `${name}-`));
}

function config(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return file;
}

beforeAll(() => {
  dir = tempDir();
  a = tinyModel(path.join(dir, 'a'), 1);
  b = tinyModel(path.join(dir, 'b'), 2);
  nan = tinyModel(path.join(dir, 'nan'), 3, { nan: true });
  corpus = writeCorpus(dir);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('symfuse usage errors (exit 2)', () => {
  it.concurrent('no command prints the command list; an unknown command and an unknown flag are usage errors', async () => {
    const none = await symfuse([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/commands:[\s\S]*merge/);
    const unknown = await symfuse(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'; commands: demo, merge, align/);
    const flag = await symfuse(['inspect', a, '--frob']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--frob/);
  });

  it.concurrent('a bad configuration key names the key and the allowed keys', async () => {
    const file = config('bad-key.yaml', `models:\n  - path: ${a}\n  - path: ${b}\nmerge: { method: simple }\noutput: ${dir}/out-bad\nevals: { points: 3 }\n`);
    const r = await symfuse(['merge', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-key\.yaml/);
    expect(r.stderr).toMatch(/evals/);
    expect(r.stderr).toMatch(/allowed keys: models, anchor, data, collect, align, merge, eval, output/);
    expect(r.stderr.trim().split('\n')[0]).not.toMatch(/\n/);
  });

  it.concurrent('a bad value names the key and what is allowed', async () => {
    const file = config('bad-value.yaml', `models:\n  - path: ${a}\n  - path: ${b}\noutput: ${dir}/out-bad\nbackend: tpu\n`);
    const r = await symfuse(['merge', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backend = "tpu".*cpu.*webgpu/);
  });

  it.concurrent('an unknown aligner lists the known ones (config file and --aligner)', async () => {
    const file = config('bad-aligner.yaml', `models:\n  - path: ${a}\n  - path: ${b}\nalign:\n  - aligner: git-rebasin\noutput: ${dir}/out-bad\n`);
    const r = await symfuse(['merge', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/align\[0\]\.aligner: unknown aligner 'git-rebasin'; known aligners: verma-elbayad, weight-matching, rotation/);
    const cli = await symfuse(['align', '--anchor', a, '--model', b, '--aligner', 'nope', '--out', path.join(dir, 'out-bad')]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/unknown aligner 'nope'; known aligners: verma-elbayad, weight-matching, rotation/);
  });

  it.concurrent('an unknown merger and a bad aligner option name the allowed values', async () => {
    const m = await symfuse(['merge', config('bad-merger.yaml', `models:\n  - path: ${a}\n  - path: ${b}\nmerge: { method: ties }\noutput: ${dir}/out-bad\n`)]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/unknown merger 'ties'; known mergers: simple, regmean, fisher/);
    const o = await symfuse(['merge', config('bad-option.yaml', `models:\n  - path: ${a}\n  - path: ${b}\nalign:\n  - aligner: verma-elbayad\n    options: { mha: all-heads }\noutput: ${dir}/out-bad\n`)]);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/align\[0\]\.options.*mha.*head-perm/);
  });

  it.concurrent('an unknown data source lists the known ones', async () => {
    const r = await symfuse(['barrier', '--a', a, '--b', b, '--data', 'wikipedia']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown data source "wikipedia".*sotu.*moby-dick/);
  });
});

describe('symfuse failures (exit 1) leave no output', () => {
  it.concurrent('a missing model directory', async () => {
    const where = sub('missing');
    const out = path.join(where, 'out');
    const file = config('missing.yaml', `models:\n  - path: ${a}\n  - path: ${dir}/no-such-model\nmerge: { method: simple }\noutput: ${out}\n`);
    const r = await symfuse(['merge', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model directory .*no-such-model does not exist/);
    expect(r.stderr.trim().split('\n').filter((l) => /error/.test(l))).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
    expect(leftovers(where)).toEqual([]);
  });

  it.concurrent('non-finite weights are detected before any work, naming the tensor', async () => {
    const where = sub('nan');
    const out = path.join(where, 'out');
    const r = await symfuse(['merge', config('nan.yaml', `models:\n  - path: ${a}\n  - path: ${nan}\noutput: ${out}\n`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bert\.encoder\.layer\.1\.intermediate\.dense\.weight.*non-finite.*NaN/);
    expect(fs.existsSync(out)).toBe(false);
    expect(leftovers(where)).toEqual([]);
    const v = await symfuse(['verify', a, nan]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/non-finite/);
  });

  it.concurrent('an existing output directory is refused without --force and replaced with it', async () => {
    const where = sub('exists');
    const out = path.join(where, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'precious');
    const file = config('exists.yaml', `models:\n  - path: ${a}\n  - path: ${b}\nmerge: { method: simple }\noutput: ${out}\n`);
    const r = await symfuse(['merge', file, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/output .*out already exists; pass --force to replace it/);
    expect(fs.readFileSync(path.join(out, 'keep.txt'), 'utf8')).toBe('precious');
    const forced = await symfuse(['merge', file, '--quiet', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'keep.txt'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'model.safetensors'))).toBe(true);
    expect(leftovers(where)).toEqual([]);
  });

  it.concurrent('statistics that no data provides are a one-line failure naming what is missing', async () => {
    const where = sub('nodata');
    const out = path.join(where, 'out');
    const r = await symfuse(['merge', config('nodata.yaml', `models:\n  - path: ${a}\n  - path: ${b}\nmerge: { method: regmean }\noutput: ${out}\n`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/merger 'regmean' needs 'gram' statistics.*no data was given/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('small commands', () => {
  it.concurrent('verify: a model against itself is equivalent (0); two different models are not (1)', async () => {
    const same = await symfuse(['verify', a, a, '--json']);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ equivalent: true, maxAbsDiff: 0 });
    const diff = await symfuse(['verify', a, b]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/NOT equivalent: largest output difference \d/);
  });

  it.concurrent('an aligned model verifies as equivalent to the original, and inputs are never modified', async () => {
    const before = fs.readFileSync(path.join(b, 'model.safetensors'));
    const out = path.join(dir, 'aligned');
    const r = await symfuse(['align', '--anchor', a, '--model', b, '--aligner', 'verma-elbayad', '--data', corpus, '--blocks', '4', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['model.safetensors', 'config.json', 'tokenizer.json', 'transform.json', 'diagnostics.json', 'report.json', 'report.md', 'plots/correlation-per-layer.svg']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'transform.json'), 'utf8')).format).toBe('symfuse-transform');
    const v = await symfuse(['verify', b, out]);
    expect(v.code, v.stdout).toBe(0);
    expect(fs.readFileSync(path.join(b, 'model.safetensors')).equals(before)).toBe(true);
  });

  it.concurrent('inspect and predict', async () => {
    const i = await symfuse(['inspect', a, '--json']);
    expect(i.code).toBe(0);
    const info = JSON.parse(i.stdout);
    expect(info.summary).toMatchObject({ architecture: 'BertForMaskedLM', layers: 2, hidden: 16, head: 'mlm' });
    expect(info.spec.spaces.map((s: { component: string }) => s.component)).toContain('ffn');
    const p = await symfuse(['predict', a, '--text', 'the nation [MASK] peace', '--top', '3', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const rows = JSON.parse(p.stdout).masks;
    expect(rows).toHaveLength(1);
    expect(rows[0].top).toHaveLength(3);
    const total = rows[0].top.reduce((s: number, t: { probability: number }) => s + t.probability, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1 + 1e-9);
    const noMask = await symfuse(['predict', a, '--text', 'the nation']);
    expect(noMask.code).toBe(2);
    expect(noMask.stderr).toMatch(/no \[MASK\] token/);
  });

  it.concurrent('--backend webgpu works where an adapter exists, else fails with a clear one-line cause; an unknown backend is a usage error', async () => {
    const r = await symfuse(['inspect', a, '--backend', 'webgpu']);
    if (process.env.SYMFUSE_REQUIRE_WEBGPU === '1') expect(r.code, r.stderr).toBe(0);
    if (r.code !== 0) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/backend .webgpu..*(unavailable|no WebGPU implementation).*--backend cpu/);
    }
    const tpu = await symfuse(['inspect', a, '--backend', 'tpu']);
    expect(tpu.code).toBe(2);
    expect(tpu.stderr).toMatch(/tpu/);
  });
});
