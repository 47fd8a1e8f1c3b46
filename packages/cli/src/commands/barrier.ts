/**
 * `symfuse barrier`: the loss-barrier curves between two models on held-out data — vanilla, and
 * aligned when aligners are given. `--json` prints
 * `{vanilla: {lambdas, losses, barrier, barrierLinear, …}, aligned: {…}}`.
 */
import { formatNumber as num, markdownTable, type ReportCurve } from '@symfuse/eval';
import { int, list, str } from '../args.js';
import { type Command, print } from '../command.js';
import { EVAL_DEFAULTS, resolveSource, STATS_DEFAULTS } from '../data.js';
import { CliError, UsageError } from '../errors.js';
import { evaluate } from '../job/evaluate.js';
import { alignPair } from '../job/align-pair.js';
import { alignSteps, distances, reportHeader, stepMatrices, writeReport } from '../job/report-parts.js';
import { describeModel, loadCliModel } from '../models.js';
import { buildRegistry, checkIds } from '../registry.js';
import { stageOutput } from '../staging.js';
import { distributeOptions } from './align.js';
import { setup } from './shared.js';

const help = `usage: symfuse barrier --a DIR --b DIR --data SRC [--aligner ID[,ID…]] [--option [ID.]KEY=VALUE …]
                       [--points 21] [--blocks N] [--examples N] [--stats-data SRC] [--out DIR [--png]] [--json]

Evaluates L(θ(λ)) with θ(λ) = λ·θ_A + (1−λ)·θ_B on --points evenly spaced λ on the held-out side of
--data, and reports the barrier max_λ L − ½(L_A + L_B) (Verma & Elbayad Eq. 10) and the linear
variant max_λ [L − (λ L_A + (1−λ) L_B)]. With --aligner, B is first aligned to A (statistics from the
training side of --stats-data, default --data) and the aligned curve is added.

Options:
  --points N      λ grid size (default 21)
  --blocks N      MLM: held-out blocks of 128 tokens (default 24)
  --examples N    classification: held-out examples (default 256)
  --seed N        seed of the evaluation masks (default 1234)
  --out DIR       also write report.json, report.md and plots/*.svg there (--force to replace)
  --png           with --out, also write plots/*.png beside the SVGs (2× their size)
  --json          {vanilla: {lambdas, losses, barrier, barrierLinear, …}, aligned: {…}}
  --backend cpu|webgpu   where the forward passes (evaluation, statistics) run (default cpu)`;

/** The JSON form of a curve. */
function curveJson(c: ReportCurve): Record<string, unknown> {
  return { lambdas: c.lambdas, losses: c.losses, barrier: c.barrier, barrierLambda: c.barrierLambda, barrierLinear: c.barrierLinear, barrierLinearLambda: c.barrierLinearLambda, lossA: c.lossA, lossB: c.lossB, ...(c.pppl ? { pppl: c.pppl } : {}), ...(c.accuracy ? { accuracy: c.accuracy } : {}) };
}

export const barrierCommand: Command = {
  name: 'barrier',
  summary: 'loss-barrier curves between two models (vanilla, and aligned with --aligner)',
  help,
  async run(argv, env) {
    const s = await setup(
      'barrier',
      argv,
      {
        a: { type: 'string' },
        b: { type: 'string' },
        data: { type: 'string' },
        'stats-data': { type: 'string' },
        aligner: { type: 'string' },
        option: { type: 'string', multiple: true },
        points: { type: 'string' },
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
    const cmd = 'barrier';
    const aDir = str(s.flags, 'a', cmd, true);
    const bDir = str(s.flags, 'b', cmd, true);
    const source = resolveSource(str(s.flags, 'data', cmd, true), cmd);
    const statsSpec = str(s.flags, 'stats-data', cmd);
    const statsSource = statsSpec ? resolveSource(statsSpec, cmd, '--stats-data') : source;
    const points = int(s.flags, 'points', cmd, 21, 2, 201);
    const settings = { ...EVAL_DEFAULTS, blocks: int(s.flags, 'blocks', cmd, EVAL_DEFAULTS.blocks), examples: int(s.flags, 'examples', cmd, EVAL_DEFAULTS.examples), seed: int(s.flags, 'seed', cmd, EVAL_DEFAULTS.seed, 0) };
    const aligners = list(str(s.flags, 'aligner', cmd));
    const registry = buildRegistry();
    checkIds(registry, { aligners }, cmd, '--aligner: ');
    const options = distributeOptions(registry, aligners, (s.flags.option as string[] | undefined) ?? [], cmd);
    const outDir = str(s.flags, 'out', cmd);
    if (s.flags.png && !outDir) throw new UsageError('--png writes plots/*.png into --out DIR; give --out', cmd);
    const staged = outDir ? stageOutput(outDir, { force: Boolean(s.flags.force) }) : undefined;
    try {
      const t0 = performance.now();
      const a = loadCliModel(aDir);
      const b = loadCliModel(bDir);
      const tokenizer = a.tokenizer ?? b.tokenizer;
      if (!tokenizer) throw new CliError(`${aDir} and ${bDir} have no tokenizer.json; evaluation needs one`);
      const steps = aligners.map((id) => ({ aligner: id, options: options[id] }));
      const result = aligners.length
        ? await alignPair({ registry, steps, seed: 0, anchor: a.weights, model: b.weights, source: statsSource, tokenizer, settings: STATS_DEFAULTS, console: s.console, device: s.device })
        : undefined;
      const evaluation = await evaluate({
        source,
        tokenizer,
        config: a.loaded.config,
        head: a.loaded.head,
        settings,
        points,
        anchor: a.weights,
        models: [b.weights],
        aligned: result?.aligned[0],
        curves: ['vanilla', 'aligned'],
        progress: s.console.progress,
        device: s.device,
      });
      const curves = evaluation.curves ?? {};
      if (staged) {
        writeReport(
          staged,
          {
            ...reportHeader('barrier', s.backend),
            models: [
              { role: 'anchor', path: aDir, ...describeModel(a) },
              { role: 'model', path: bDir, ...describeModel(b) },
            ],
            ...(result ? { statsData: statsSource.spec, alignment: alignSteps(result) } : {}),
            evaluation,
            distances: distances(a.weights.params, b.weights.params, result?.aligned[0].params),
            timings: { total: performance.now() - t0 },
            warnings: [...(result?.warnings ?? [])],
          },
          result ? stepMatrices(result) : [],
          { png: Boolean(s.flags.png) },
        );
        staged.commit();
      }
      if (s.json) {
        print(env, JSON.stringify({ data: evaluation.description, backend: s.backend, ...Object.fromEntries(Object.entries(curves).map(([k, c]) => [k, curveJson(c)])) }, null, 2));
      } else {
        const names = Object.keys(curves);
        const lambdas = curves[names[0]].lambdas;
        print(env, `${evaluation.description}\n\n${markdownTable(['λ', ...names.map((n) => `${n} loss`)], lambdas.map((l, i) => [num(l), ...names.map((n) => num(curves[n].losses[i]))]))}\n\n${markdownTable(['', ...names], [
          ['barrier (Eq. 10)', ...names.map((n) => `${num(curves[n].barrier)} at λ=${num(curves[n].barrierLambda)}`)],
          ['linear barrier', ...names.map((n) => `${num(curves[n].barrierLinear)} at λ=${num(curves[n].barrierLinearLambda)}`)],
        ])}`);
      }
      return 0;
    } catch (e) {
      staged?.discard();
      throw e;
    }
  },
};
