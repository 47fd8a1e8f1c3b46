/**
 * The multi-task (MTL) upper bound of the RegMean paper: one classifier fine-tuned on the union of the
 * domains' training splits, from the same MLM and with the same recipe as the fixture classifiers
 * (`packages/cli/src/fixtures/recipe.ts`: AdamW, lr 1e-3, 10% warm-up then linear decay, weight decay
 * 0.01, clip 1, batch 16, ≤ 128 tokens, fresh pooler/classifier with std 0.1), through the public
 * training API of `@symfuse/models`. The trained model is kept in `experiments/.cache/models/` under
 * a hash of everything that determines it, so it is trained once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { classificationObjective, initParams, loadModelDir, saveModelDir, trainLoop } from '@symfuse/models';
import { stableStringify } from './cache.js';
import { domainExamples, type TaskName } from './data.js';
import type { Context } from './experiment.js';
import type { ZooModel } from './zoo.js';

/** The fixture classifiers' recipe (copied: the CLI package does not export it). */
export const CLASSIFIER_RECIPE = { initStd: 0.1, maxLength: 128, batchSize: 16, lr: 1e-3, warmupFraction: 0.1, weightDecay: 0.01, clipNorm: 1.0 } as const;

/** What to train. */
export interface MtlSpec {
  readonly task: TaskName;
  readonly domains: readonly string[];
  /** Optimisation steps. */
  readonly steps: number;
  /** A classifier fixture whose config (labels, head) the MTL model takes. */
  readonly like: ZooModel;
  /** The MLM the encoder starts from. */
  readonly base: ZooModel;
  readonly seed: number;
}

/** Trains (or loads) the multi-task model. */
export function mtlModel(ctx: Context<unknown>, spec: MtlSpec): ZooModel {
  const key = { unit: 'mtl', v: 1, task: spec.task, domains: spec.domains, steps: spec.steps, like: spec.like.fingerprint, base: spec.base.fingerprint, seed: spec.seed, recipe: CLASSIFIER_RECIPE, zoo: ctx.zoo.kind };
  const hash = createHash('sha256').update(stableStringify(key)).digest('hex').slice(0, 16);
  const dir = path.join(path.dirname(ctx.options.cacheDir), 'models', `mtl-${spec.task}-${hash}`);
  const id = `mtl-${spec.task}(${spec.domains.join('+')})`;
  if (ctx.options.cache && fs.existsSync(path.join(dir, 'config.json'))) {
    const m = loadModelDir(dir);
    ctx.log(`${id}: loaded from ${path.relative(process.cwd(), dir)}`);
    return { config: m.config, params: m.params, head: 'classifier', id, fingerprint: `mtl:${hash}` };
  }
  const examples = spec.domains.flatMap((d) => domainExamples(spec.task, d, 'train', Number.MAX_SAFE_INTEGER)).map((e) => ({ text: e.text, label: e.label }));
  const config = spec.like.config;
  const fresh = initParams(config, { seed: 1000 + spec.seed, std: CLASSIFIER_RECIPE.initStd, head: 'classifier' });
  const initial = new Map([...fresh].map(([k, t]) => [k, spec.base.params.get(k) ?? t]));
  const s = ctx.zoo.tokenizer.specialIds;
  const objective = classificationObjective(config, examples, (t) => ctx.zoo.tokenizer.encode(t, { addSpecialTokens: false }).ids, { cls: s.cls!, sep: s.sep!, pad: s.pad! }, { batchSize: CLASSIFIER_RECIPE.batchSize, seed: spec.seed, maxLength: Math.min(CLASSIFIER_RECIPE.maxLength, config.maxPositionEmbeddings) });
  const t0 = performance.now();
  ctx.log(`${id}: training ${spec.steps} steps on ${examples.length} examples`);
  const result = trainLoop(initial, objective, {
    steps: spec.steps,
    lr: CLASSIFIER_RECIPE.lr,
    warmupSteps: Math.round(CLASSIFIER_RECIPE.warmupFraction * spec.steps),
    weightDecay: CLASSIFIER_RECIPE.weightDecay,
    clipNorm: CLASSIFIER_RECIPE.clipNorm,
    logEvery: 50,
    progress: (p) => ctx.log(`${id}: step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)} eta ${Math.round(p.etaSeconds)} s`),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (ctx.options.cache) {
    saveModelDir(dir, { config, params: result.params, tokenizer: ctx.zoo.tokenizer }, {
      force: true,
      metadata: { recipe: 'mtl', task: spec.task, domains: spec.domains.join(','), steps: String(spec.steps) },
      extraFiles: { 'training_history.json': JSON.stringify({ steps: spec.steps, seconds, history: result.history }) },
    });
  }
  return { config, params: result.params, head: 'classifier', id, fingerprint: `mtl:${hash}` };
}

/** Recorded training steps of a fixture (from its `training_history.json`), if any. */
export function recordedSteps(ctx: Context<unknown>, name: string): number | undefined {
  ctx.zoo.classifier(name);
  return ctx.zoo.loaded().find((m) => m.id === name)?.trainingSteps;
}
