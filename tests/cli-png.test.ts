/**
 * End-to-end: `--png` through the real binary — `symfuse barrier --out DIR --png` on tiny models
 * writes one `plots/<name>.png` beside each `plots/<name>.svg`, at twice the SVG's size, listed in
 * report.json; `--png` without `--out` is a usage error; every plot-writing command documents it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSvg, type RunReport } from '@symfuse/eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symfuse, tempDir, tinyModel, writeCorpus } from './cli-helpers.js';

let dir: string;
let a: string;
let b: string;
let corpus: string;

beforeAll(() => {
  dir = tempDir();
  a = tinyModel(path.join(dir, 'a'), 21);
  b = tinyModel(path.join(dir, 'b'), 22);
  corpus = writeCorpus(dir, 120);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Width and height from a PNG's IHDR (after checking the signature and the chunk's place). */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  expect([...b.subarray(0, 8)], file).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(b.toString('latin1', 12, 16), file).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('symfuse --png', () => {
  it('barrier --out DIR --png writes a PNG of twice the size beside every SVG', async () => {
    const out = path.join(dir, 'barrier-out');
    const r = await symfuse(['barrier', '--a', a, '--b', b, '--data', corpus, '--aligner', 'weight-matching', '--points', '3', '--blocks', '2', '--out', out, '--png', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const plots = fs.readdirSync(path.join(out, 'plots')).sort();
    const svgs = plots.filter((f) => f.endsWith('.svg'));
    const pngs = plots.filter((f) => f.endsWith('.png'));
    expect(svgs.length).toBeGreaterThanOrEqual(3);
    expect(pngs).toEqual(svgs.map((f) => f.replace(/\.svg$/, '.png')));
    expect(plots).toHaveLength(svgs.length + pngs.length);
    for (const svg of svgs) {
      const root = parseSvg(fs.readFileSync(path.join(out, 'plots', svg), 'utf8'));
      const size = pngSize(path.join(out, 'plots', svg.replace(/\.svg$/, '.png')));
      expect(size, svg).toEqual({ width: 2 * Number(root.attrs.width), height: 2 * Number(root.attrs.height) });
    }
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
    for (const png of pngs) expect(report.files).toContain(path.join('plots', png));
  });

  it.concurrent('--png without --out is a usage error that says what is missing', async () => {
    const r = await symfuse(['barrier', '--a', a, '--b', b, '--data', corpus, '--png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--png writes plots\/\*\.png into --out DIR; give --out/);
  });

  it.concurrent('demo, merge, barrier and align document --png in --help', async () => {
    const cmds = ['demo', 'merge', 'barrier', 'align'];
    const runs = await Promise.all(cmds.map((cmd) => symfuse([cmd, '--help'])));
    runs.forEach((r, i) => {
      expect(r.code, cmds[i]).toBe(0);
      expect(r.stdout, cmds[i]).toMatch(/^ {2}--png +.*plots\/\*\.png/m);
    });
  });
});
