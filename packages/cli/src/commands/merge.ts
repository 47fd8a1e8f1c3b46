/** `symfuse merge <config.yaml>`: the main job from a configuration file. */
import { str } from '../args.js';
import { selectBackend } from '../backend.js';
import { type Command, print } from '../command.js';
import { readMergeConfig } from '../config.js';
import { DeviceModels } from '../device.js';
import { UsageError } from '../errors.js';
import { runMergeJob } from '../job/merge-job.js';
import { buildRegistry } from '../registry.js';
import { summarize } from '../summary.js';
import { setup } from './shared.js';

const help = `usage: symfuse merge <config.yaml> [--output DIR] [--force] [--png] [--json] [--quiet] [--backend cpu|webgpu]

Aligns every model of the configuration to the anchor, merges them, evaluates the loss barriers and
writes the merged model directory with symfuse.yaml, report.json, report.md and plots/*.svg (and
plots/*.png with --png).

config.yaml (paths relative to the working directory):
  models:                       # two or more model directories (HF config.json + safetensors)
    - path: fixtures/mlm-seed1  # the anchor unless 'anchor:' names another index
    - path: fixtures/mlm-seed2
      stats: stats/seed2.safetensors   # optional published statistics (gram, fisher…)
  data: sotu                    # where statistics are collected (corpus, task or .txt/.jsonl)
  collect: { blocks: 32, examples: 256, batchSize: 8 }
  align:                        # aligners run in order, each on its spaces
    - aligner: verma-elbayad    # verma-elbayad | weight-matching | rotation | any registered
      spaces: [ffn, attention]  # residual, ffn, attention, attention-qk, attention-vo, head, ids
      options: { mha: head-perm, residual: identity }
  merge: { method: regmean, alpha: 0.9 }   # simple | fisher | regmean | any registered merger
  eval: { data: sotu, points: 21, blocks: 24, seed: 1234, ood: party, png: true }
  output: out/merged
  seed: 0
  backend: cpu                  # cpu | webgpu (--backend overrides it)
  streaming: true               # optional: merge layer by layer, one layer of each model in memory
                                # (BERT family; no alignment or verma-elbayad with residual: identity;
                                # regmean or simple; statistics from 'data'; CPU). Evaluation then
                                # scores the endpoints and the merged model (no interpolation curves).

Options:
  --output DIR           override 'output'
  --force                replace an existing output directory
  --png                  also write plots/*.png beside the SVGs (2× their size; or eval.png: true)
  --max-shard-size SIZE  shard model.safetensors above SIZE (e.g. 500MB; default 2GB)
  --json                 print report.json on stdout
  --quiet                no progress on stderr
  --backend cpu|webgpu   where the forward passes (statistics, evaluation) run (default: the config's
                         'backend', else cpu); alignment solves and merging run in f64 on the CPU

Exit codes: 0 done, 1 failure (one-line cause on stderr), 2 usage or configuration error.`;

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'align and merge models from a YAML configuration, with evaluation and a report',
  help,
  async run(argv, env) {
    const s = await setup('merge', argv, { force: { type: 'boolean' }, output: { type: 'string' }, 'max-shard-size': { type: 'string' }, png: { type: 'boolean' } }, env, help, true);
    if (!s) return 0;
    if (s.positionals.length !== 1) throw new UsageError(`expected one configuration file, got ${s.positionals.length ? s.positionals.join(' ') : 'none'}`, 'merge');
    const registry = buildRegistry();
    let cfg = readMergeConfig(s.positionals[0], registry);
    const output = str(s.flags, 'output', 'merge');
    if (output) cfg = { ...cfg, output };
    // --backend wins over the configuration's 'backend' key.
    const device = s.flags.backend === undefined && cfg.backend !== undefined && cfg.backend !== s.backend ? new DeviceModels(await selectBackend(cfg.backend, 'merge')) : s.device;
    const { report, output: dir } = await runMergeJob(cfg, { registry, console: s.console, command: 'merge', force: Boolean(s.flags.force), backend: device.backend.name, device, maxShardSize: str(s.flags, 'max-shard-size', 'merge'), png: Boolean(s.flags.png) || cfg.eval?.png === true });
    print(env, s.json ? JSON.stringify(report, null, 2) : summarize(report, dir));
    return 0;
  },
};
