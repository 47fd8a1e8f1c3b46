/**
 * `symfuse align`: aligns one model to an anchor with one or more aligners and writes the aligned
 * model, the transform (JSON), the aligners' diagnostics and a report with plots.
 */
import path from 'node:path';
import { toJsonSafe } from '@symfuse/eval';
import { saveModelDir } from '@symfuse/models';
import { type SymmetryRegistry, transformToJson } from '@symfuse/symmetry';
import YAML from 'yaml';
import { int, keyValues, list, str } from '../args.js';
import { type Command, print } from '../command.js';
import { resolveSource, STATS_DEFAULTS } from '../data.js';
import { UsageError } from '../errors.js';
import { alignPair } from '../job/align-pair.js';
import { alignSteps, distances, reportHeader, stepMatrices, writeReport } from '../job/report-parts.js';
import { assertFinite } from '../job/merge-job.js';
import { describeModel, loadCliModel } from '../models.js';
import { buildRegistry, checkIds } from '../registry.js';
import { stageOutput } from '../staging.js';
import { cliVersion } from '../version.js';
import { setup } from './shared.js';

const help = `usage: symfuse align --anchor DIR --model DIR --aligner ID[,ID…] [--option [ID.]KEY=VALUE …]
                     [--spaces SEL[,SEL…]] [--data SRC] --out DIR [--force] [--png] [--json] [--quiet]

Aligns --model to --anchor (which is never changed) and writes to --out: the aligned model directory,
transform.json (the composed transform, reusable), diagnostics.json, report.json, report.md and
plots/*.svg (and plots/*.png with --png). Aligners run in the given order; each sees the model as
the previous ones left it.

Options:
  --aligner ID[,ID…]     verma-elbayad, weight-matching, rotation, or any registered aligner
  --option KEY=VALUE     an aligner option (repeatable); KEY goes to every aligner that has it,
                         ID.KEY to one aligner (e.g. --option verma-elbayad.residual=first)
  --spaces SEL[,SEL…]    spaces for every aligner: residual, ffn, attention, attention-qk,
                         attention-vo, head, or space ids with * (default: each aligner's own)
  --data SRC             data for statistics (verma-elbayad needs correlations): sotu, moby-dick,
                         party:ERA, spam:DOMAIN, a .txt or .jsonl file
  --blocks N / --examples N   size of the statistics sample (default 32 blocks / 256 examples)
  --seed N               seed of the run (default 0)
  --force                replace an existing --out
  --png                  also write plots/*.png beside the SVGs (2× their size)
  --json                 print report.json on stdout
  --backend cpu|webgpu   where the statistics' forward passes run (default cpu); the solves run in
                         f64 on the CPU either way`;

/**
 * Splits `--option` values between aligners: `id.key=value` goes to `id`; `key=value` to every aligner
 * whose options describe `key` (to all when an aligner does not describe its options). Each aligner's
 * share is checked against its option schema here, so every command reports bad values alike.
 * @throws UsageError for a key that no aligner takes, listing each aligner's keys, or for a value
 *   an aligner's schema rejects.
 */
export function distributeOptions(registry: SymmetryRegistry, aligners: readonly string[], raw: readonly string[], command: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = Object.fromEntries(aligners.map((a) => [a, {}]));
  const kv = keyValues(raw, command);
  for (const [key, value] of Object.entries(kv)) {
    const dot = key.indexOf('.');
    const target = dot > 0 ? key.slice(0, dot) : undefined;
    if (target && aligners.includes(target)) {
      out[target][key.slice(dot + 1)] = value;
      continue;
    }
    const takers = aligners.filter((a) => {
      const d = registry.aligner(a).options.describe;
      return !d || key in d;
    });
    if (takers.length === 0) {
      const known = aligners.map((a) => `${a}: ${Object.keys(registry.aligner(a).options.describe ?? {}).join(', ') || '(none)'}`).join('; ');
      throw new UsageError(`--option ${key}: no aligner takes '${key}'; options by aligner — ${known}`, command);
    }
    for (const a of takers) out[a][key] = value;
  }
  for (const a of aligners) {
    try {
      registry.aligner(a).options.parse(out[a]);
    } catch (e) {
      throw new UsageError(`--option (aligner '${a}'): ${(e as Error).message}`, command);
    }
  }
  return out;
}

export const alignCommand: Command = {
  name: 'align',
  summary: 'align a model to an anchor; write the aligned model, transform.json and diagnostics',
  help,
  async run(argv, env) {
    const s = await setup(
      'align',
      argv,
      {
        anchor: { type: 'string' },
        model: { type: 'string' },
        aligner: { type: 'string' },
        option: { type: 'string', multiple: true },
        spaces: { type: 'string' },
        data: { type: 'string' },
        blocks: { type: 'string' },
        examples: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        png: { type: 'boolean' },
      },
      env,
      help,
    );
    if (!s) return 0;
    const cmd = 'align';
    const anchorDir = str(s.flags, 'anchor', cmd, true);
    const modelDir = str(s.flags, 'model', cmd, true);
    const outDir = str(s.flags, 'out', cmd, true);
    const aligners = list(str(s.flags, 'aligner', cmd, true));
    if (aligners.length === 0) throw new UsageError('--aligner needs at least one aligner id', cmd);
    const registry = buildRegistry();
    checkIds(registry, { aligners }, cmd, '--aligner: ');
    const options = distributeOptions(registry, aligners, (s.flags.option as string[] | undefined) ?? [], cmd);
    const spaces = list(str(s.flags, 'spaces', cmd));
    const steps = aligners.map((a) => ({ aligner: a, ...(spaces.length ? { spaces } : {}), options: options[a] }));
    const dataSpec = str(s.flags, 'data', cmd);
    const source = dataSpec ? resolveSource(dataSpec, cmd) : undefined;
    const seed = int(s.flags, 'seed', cmd, 0, 0);
    const settings = { ...STATS_DEFAULTS, blocks: int(s.flags, 'blocks', cmd, STATS_DEFAULTS.blocks), examples: int(s.flags, 'examples', cmd, STATS_DEFAULTS.examples) };
    const staged = stageOutput(outDir, { force: Boolean(s.flags.force) });
    try {
      const t0 = performance.now();
      const anchor = loadCliModel(anchorDir);
      const model = loadCliModel(modelDir);
      const tokenizer = anchor.tokenizer ?? model.tokenizer;
      const result = await alignPair({ registry, steps, seed, anchor: anchor.weights, model: model.weights, source, tokenizer, settings, console: s.console, device: s.device });
      for (const w of result.warnings) s.console.warn(w);
      const aligned = result.aligned[0];
      assertFinite(aligned.params, 'aligned model');
      saveModelDir(staged.dir, { config: model.loaded.config, params: aligned.params, tokenizer: model.tokenizer }, { force: true, metadata: { symfuse: cliVersion(), aligned_to: anchorDir } });
      staged.write('transform.json', `${JSON.stringify(transformToJson(result.transforms[0]), null, 1)}\n`);
      staged.write('diagnostics.json', `${JSON.stringify(toJsonSafe(result.steps.map((st) => ({ aligner: st.aligner, spaces: st.spaces, ms: st.ms, trace: st.trace, diagnostics: st.diagnostics })), { maxArray: 512 }), null, 1)}\n`);
      staged.write('symfuse.yaml', `# symfuse align (symfuse ${cliVersion()})\n${YAML.stringify({ anchor: anchorDir, model: modelDir, ...(dataSpec ? { data: dataSpec } : {}), align: steps, seed })}`);
      const report = writeReport(
        staged,
        {
          ...reportHeader('align', s.backend),
          models: [
            { role: 'anchor', path: anchorDir, ...describeModel(anchor) },
            { role: 'model', path: modelDir, ...describeModel(model) },
          ],
          ...(source ? { statsData: source.spec } : {}),
          alignment: alignSteps(result),
          distances: distances(anchor.weights.params, model.weights.params, aligned.params),
          timings: { total: performance.now() - t0 },
          warnings: [...result.warnings],
        },
        stepMatrices(result),
        { png: Boolean(s.flags.png) },
      );
      staged.commit();
      const d = report.distances!;
      print(env, s.json ? JSON.stringify(report, null, 2) : `wrote ${path.resolve(outDir)} (${report.files.length} files)\ndistance to the anchor: ${d.vanilla.total.l2.toFixed(4)} before, ${d.aligned!.total.l2.toFixed(4)} after alignment`);
      return 0;
    } catch (e) {
      staged.discard();
      throw e;
    }
  },
};
