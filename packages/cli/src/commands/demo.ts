/**
 * `symfuse demo`: the main job on the bundled fixtures with no arguments — align `mlm-seed2` to
 * `mlm-seed1` with Verma & Elbayad's method (FFN + head-perm attention, residual stream from the embedding output: `first`), compute
 * the vanilla and aligned loss-barrier curves on held-out SOTU text, merge at λ = 0.5, and write
 * everything to `./symfuse-demo/`.
 */
import path from 'node:path';
import { int, str } from '../args.js';
import { type Command, print } from '../command.js';
import { type MergeConfig, parseMergeConfig } from '../config.js';
import { CliError } from '../errors.js';
import { runMergeJob } from '../job/merge-job.js';
import { buildRegistry } from '../registry.js';
import { summarize } from '../summary.js';
import { fixturesDir, hasModel, setup } from './shared.js';

const help = `usage: symfuse demo [--out DIR] [--force] [--quick] [--points N] [--eval-blocks N] [--stats-blocks N] [--png] [--json] [--quiet]

Aligns the fixture MLM fixtures/mlm-seed2 to fixtures/mlm-seed1 with Verma & Elbayad's correlation
matching (FFN + head-perm attention, residual stream from the embedding output: 'first'), computes the vanilla and aligned loss-barrier
curves on held-out SOTU text, merges at λ = 0.5 and writes to ./symfuse-demo/: the merged model,
symfuse.yaml (the equivalent 'symfuse merge' configuration), report.json, report.md, plots/*.svg
(and plots/*.png with --png).
Takes a few minutes on two CPU cores.

Options:
  --out DIR            output directory (default symfuse-demo)
  --force              replace an existing output directory
  --quick              a small sample (5 λ points, 4 evaluation blocks, 8 statistics blocks); also
                       SYMFUSE_DEMO_QUICK=1
  --points N           λ grid size (default 21)
  --eval-blocks N      held-out blocks of 128 tokens (default 24)
  --stats-blocks N     blocks for the correlation statistics (default 32)
  --png                plots/*.png beside the SVGs (2× their size)
  --json               print report.json on stdout
  --backend cpu|webgpu where the forward passes (statistics, evaluation) run (default cpu)
Environment: SYMFUSE_FIXTURES points at another fixtures folder.`;

/** The demo's configuration (what symfuse.yaml records). */
export function demoConfig(fixtures: string, out: string, sizes: { points: number; evalBlocks: number; statsBlocks: number }): MergeConfig {
  return parseMergeConfig(
    {
      models: [{ path: path.join(fixtures, 'mlm-seed1') }, { path: path.join(fixtures, 'mlm-seed2') }],
      data: 'sotu',
      collect: { blocks: sizes.statsBlocks, batchSize: 8 },
      align: [
        {
          aligner: 'verma-elbayad',
          spaces: ['ffn', 'attention', 'residual'],
          options: { mha: 'head-perm', residual: 'first', correlationMatrices: ['layer.0.attention.context', 'layer.3.ffn.activation'] },
        },
      ],
      merge: { method: 'simple' },
      eval: { data: 'sotu', points: sizes.points, blocks: sizes.evalBlocks, batchSize: 8, seed: 1234 },
      output: out,
      seed: 0,
    },
    'demo configuration',
    buildRegistry(),
  );
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'align and merge two fixture MLMs, with loss-barrier curves and plots (no arguments needed)',
  help,
  async run(argv, env) {
    const s = await setup(
      'demo',
      argv,
      { out: { type: 'string' }, force: { type: 'boolean' }, quick: { type: 'boolean' }, points: { type: 'string' }, 'eval-blocks': { type: 'string' }, 'stats-blocks': { type: 'string' }, png: { type: 'boolean' } },
      env,
      help,
    );
    if (!s) return 0;
    const quick = Boolean(s.flags.quick) || env.env.SYMFUSE_DEMO_QUICK === '1';
    const sizes = {
      points: int(s.flags, 'points', 'demo', quick ? 5 : 21, 2, 201),
      evalBlocks: int(s.flags, 'eval-blocks', 'demo', quick ? 4 : 24),
      statsBlocks: int(s.flags, 'stats-blocks', 'demo', quick ? 8 : 32),
    };
    const fixtures = fixturesDir(env.env);
    for (const d of ['mlm-seed1', 'mlm-seed2']) {
      if (!hasModel(path.join(fixtures, d))) throw new CliError(`fixture ${path.join(fixtures, d)} not found; train it with 'symfuse train fixtures mlm --seed ${d.slice(-1)}' or point SYMFUSE_FIXTURES at a fixtures folder`);
    }
    const registry = buildRegistry();
    const cfg = demoConfig(fixtures, str(s.flags, 'out', 'demo') ?? 'symfuse-demo', sizes);
    s.console.info(`symfuse demo: ${sizes.points} λ points, ${sizes.evalBlocks} held-out blocks, ${sizes.statsBlocks} statistics blocks → ${cfg.output}/`);
    const { report, output } = await runMergeJob(cfg, { registry, console: s.console, command: 'demo', force: Boolean(s.flags.force), backend: s.backend, device: s.device, png: Boolean(s.flags.png) });
    print(env, s.json ? JSON.stringify(report, null, 2) : summarize(report, output));
    return 0;
  },
};
