/**
 * `symfuse stats`: collect statistics of one model (correlation, gram, fisher, or any registered
 * kind) over data into a file, optionally one shard of the data; `symfuse stats combine` sums shard
 * files exactly into the file of one pass. Model owners publish these instead of their data.
 */
import fs from 'node:fs';
import { int, str } from '../args.js';
import { type Command, print } from '../command.js';
import { resolveSource, STATS_DEFAULTS, statsSample } from '../data.js';
import { CliError, UsageError } from '../errors.js';
import { collectorOptions } from '../job/stats-provider.js';
import { loadCliModel } from '../models.js';
import { buildRegistry } from '../registry.js';
import { readStats, writeStats } from '../stats-files.js';
import { setup } from './shared.js';

const help = `usage: symfuse stats --model DIR --kind correlation|gram|fisher --data SRC [--anchor DIR]
                     [--shard i/n] [--blocks N] [--examples N] [--batch-size N] --out FILE [--force] [--json]
       symfuse stats combine FILE… --out FILE [--force] [--json]

Collects statistics of --model on the training side of --data and writes them to --out (safetensors,
f64 entries, kind and provenance in the metadata):
  correlation  anchor × model feature correlations (pairwise: needs --anchor), for verma-elbayad
  gram         XᵀX of every linear layer's input, for regmean
  fisher       diagonal Fisher information, for fisher merging
Samples: --blocks 128-token blocks (MLM, default 32) or --examples (classification, default 256),
--batch-size sequences per forward pass (default 8).
--shard i/n collects every n-th batch starting with batch i−1; 'stats combine' sums the shards' files
exactly into the file one pass would give.
--backend cpu|webgpu runs the forward (and, for fisher, backward) passes there (default cpu); the sums
are accumulated in f64 on the host either way (on WebGPU each batch's products are f32).`;

function parseShard(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || index < 1 || count < 1 || index > count) throw new UsageError(`--shard ${JSON.stringify(v)}: expected i/n with 1 ≤ i ≤ n (e.g. 2/4)`, 'stats');
  return { index, count };
}

async function combine(argv: readonly string[], env: Parameters<Command['run']>[1]): Promise<number> {
  const s = await setup('stats', argv, { out: { type: 'string' }, force: { type: 'boolean' } }, env, help, true);
  if (!s) return 0;
  const out = str(s.flags, 'out', 'stats', true);
  if (s.positionals.length < 1) throw new UsageError('stats combine needs at least one statistics file', 'stats');
  const parts = s.positionals.map(readStats);
  const kinds = [...new Set(parts.map((p) => p.kind))];
  if (kinds.length > 1) throw new CliError(`stats combine: the files hold different kinds (${parts.map((p, i) => `${s.positionals[i]}: ${p.kind}`).join(', ')})`);
  const registry = buildRegistry();
  const collector = registry.collectors().find((c) => c.kind === kinds[0]);
  if (!collector) throw new CliError(`stats combine: no registered collector combines '${kinds[0]}' statistics; known kinds: ${registry.collectors().map((c) => c.kind).join(', ')}`);
  let combined;
  try {
    combined = collector.combine(parts);
  } catch (e) {
    throw new CliError(`stats combine: ${(e as Error).message}`);
  }
  writeStats(out, combined, Boolean(s.flags.force));
  print(env, s.json ? JSON.stringify({ kind: combined.kind, entries: combined.entries.size, meta: combined.meta, out }, null, 2) : `combined ${parts.length} '${combined.kind}' files (${combined.entries.size} entries) into ${out}`);
  return 0;
}

export const statsCommand: Command = {
  name: 'stats',
  summary: "collect a model's statistics (correlation, gram, fisher) into a file; 'stats combine' sums shards",
  help,
  async run(argv, env) {
    if (argv[0] === 'combine') return combine(argv.slice(1), env);
    const s = await setup(
      'stats',
      argv,
      { model: { type: 'string' }, anchor: { type: 'string' }, kind: { type: 'string' }, data: { type: 'string' }, shard: { type: 'string' }, blocks: { type: 'string' }, examples: { type: 'string' }, 'batch-size': { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
      env,
      help,
    );
    if (!s) return 0;
    const cmd = 'stats';
    const registry = buildRegistry();
    const kind = str(s.flags, 'kind', cmd, true);
    const kinds = [...new Set(registry.collectors().map((c) => c.kind))];
    if (!kinds.includes(kind)) throw new UsageError(`--kind ${JSON.stringify(kind)}: expected one of ${kinds.join(', ')}`, cmd);
    const collector = registry.collectors().find((c) => c.kind === kind)!;
    const anchorDir = str(s.flags, 'anchor', cmd);
    if (collector.pairwise && !anchorDir) throw new UsageError(`--kind ${kind} is pairwise (anchor × model): give --anchor DIR`, cmd);
    const out = str(s.flags, 'out', cmd, true);
    const shard = parseShard(str(s.flags, 'shard', cmd));
    const source = resolveSource(str(s.flags, 'data', cmd, true), cmd);
    if (!s.flags.force && fs.existsSync(out)) throw new CliError(`output ${out} already exists; pass --force to replace it`);
    const model = loadCliModel(str(s.flags, 'model', cmd, true));
    const anchor = anchorDir ? loadCliModel(anchorDir) : undefined;
    const tokenizer = model.tokenizer ?? anchor?.tokenizer;
    if (!tokenizer) throw new CliError(`${model.dir} has no tokenizer.json; collecting statistics on ${source.spec} needs one`);
    const settings = { ...STATS_DEFAULTS, blocks: int(s.flags, 'blocks', cmd, STATS_DEFAULTS.blocks), examples: int(s.flags, 'examples', cmd, STATS_DEFAULTS.examples), batchSize: int(s.flags, 'batch-size', cmd, STATS_DEFAULTS.batchSize) };
    const sample = statsSample(source, tokenizer, model.loaded.config, model.loaded.head, settings);
    const spec = registry.architectureFor(model.loaded.config).buildSpec(model.loaded.config, { head: model.loaded.head, params: model.weights.params });
    // Collectors with a `shard` option record it in their meta (and combine checks it); for the others
    // the CLI takes the shard's batches itself.
    const takesShard = kind === 'gram' || kind === 'fisher';
    const batches = shard && !takesShard ? sample.batches.filter((_, j) => j % shard.count === shard.index - 1) : sample.batches;
    const shardLabel = shard ? `${shard.index}/${shard.count}` : undefined;
    s.console.info(`collecting ${kind} statistics of ${model.dir} on ${sample.description}${shardLabel ? ` (shard ${shardLabel})` : ''}`);
    const bundle = await collector.collect({
      spec,
      model: s.device.model(model.weights),
      ...(anchor ? { reference: s.device.model(anchor.weights) } : {}),
      batches,
      options: collectorOptions(kind, sample.description, tokenizer, takesShard ? shardLabel : undefined),
      progress: s.console.progress,
    });
    writeStats(out, bundle, Boolean(s.flags.force));
    print(env, s.json ? JSON.stringify({ kind: bundle.kind, entries: bundle.entries.size, meta: bundle.meta, out, backend: s.backend }, null, 2) : `wrote ${bundle.entries.size} '${bundle.kind}' entries to ${out}`);
    return 0;
  },
};
