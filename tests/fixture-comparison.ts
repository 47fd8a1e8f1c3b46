/**
 * The fixture comparison (used by `fixture-comparison-*.test.ts`): RegMean ≥ Fisher ≥ simple
 * averaging on the fixture classifiers fine-tuned from one pretrained model on different domains (the
 * RegMean paper's setting). A test runs when its fixtures exist and skips, naming the missing
 * directories, otherwise. `SYMFUSE_FIXTURES` overrides the fixtures directory.
 *
 * It needs the mergers of two plugins (`@symfuse/plugins-regmean`, `@symfuse/plugins-fisher`), so it
 * lives in the cross-package suite: plugins never import each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classificationBatch, type LabelledTask, loadPartyTask, loadSpamTask } from '@symfuse/data';
import { type EncoderConfig, forward, loadModelDir } from '@symfuse/models';
import { fisherPlugin } from '@symfuse/plugins-fisher';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import { coreSymmetryPlugin, createRegistry, type ModelBatch, type ModelWeights, type ParamMap, type StatsBundle } from '@symfuse/symmetry';
import type { Tensor } from '@symfuse/tensor';

const FIXTURES = process.env.SYMFUSE_FIXTURES ?? fileURLToPath(new URL('../fixtures', import.meta.url));
/** A group of fixture classifiers of one task. */
export interface FixtureGroup {
  readonly task: string;
  readonly dirs: readonly string[];
  readonly load: () => LabelledTask;
}

const MAX_LENGTH = 64;
const GRAM_EXAMPLES = 32;
const FISHER_EXAMPLES = 8;
const EVAL_EXAMPLES = 32;
/** Accuracy slack of the ordering (a few of the validation examples). */
const SLACK = 0.03;

/** The fixture groups: models of one task fine-tuned on different domains. */
export const FIXTURE_GROUPS: Record<'party' | 'spam', FixtureGroup> = {
  party: { task: 'party', dirs: ['party-1853-1900', 'party-1901-1945', 'party-1946-1980', 'party-1981-2021'], load: () => loadPartyTask() },
  // The split the fixtures were trained on: the spam task over these three domains.
  spam: { task: 'spam', dirs: ['spam-easy-ham-1+spam-1', 'spam-easy-ham-2+spam-2'], load: () => loadSpamTask(['easy-ham-1+spam-1', 'easy-ham-2+spam-2', 'hard-ham-1']) },
};

function batchesOf(examples: readonly { text: string; label: number }[], encode: (t: string) => number[], special: { cls: number; sep: number; pad: number }, size: number): ModelBatch[] {
  const out: ModelBatch[] = [];
  for (let i = 0; i < examples.length; i += size) {
    const b = classificationBatch(examples.slice(i, i + size), encode, { ...special, maxLength: MAX_LENGTH });
    out.push({ ids: Int32Array.from(b.ids), mask: Int32Array.from(b.mask), batch: b.batch, seqLen: b.seqLen, labels: b.labels });
  }
  return out;
}

/** Macro-averaged accuracy and mean cross-entropy over the domains' validation batches. */
function evaluate(config: EncoderConfig, params: ParamMap, perDomain: readonly ModelBatch[][]): { accuracy: number; loss: number } {
  let acc = 0;
  let loss = 0;
  for (const batches of perDomain) {
    let right = 0;
    let nll = 0;
    let n = 0;
    for (const b of batches) {
      const logits = forward({ config, params: params as Map<string, Tensor>, head: 'classifier' }, b).logits!;
      const l = logits.dataSync();
      const c = logits.shape[1];
      for (let r = 0; r < b.batch; r++) {
        let best = 0;
        let max = -Infinity;
        for (let k = 0; k < c; k++) if (l[r * c + k] > max) [max, best] = [l[r * c + k], k];
        let z = 0;
        for (let k = 0; k < c; k++) z += Math.exp(l[r * c + k] - max);
        nll += Math.log(z) + max - l[r * c + b.labels![r]];
        right += best === b.labels![r] ? 1 : 0;
        n++;
      }
    }
    acc += right / n / perDomain.length;
    loss += nll / n / perDomain.length;
  }
  return { accuracy: acc, loss };
}

/** Accuracy / loss of every merger and of each parent model on the group's validation sets. */
export interface GroupComparison {
  readonly task: string;
  readonly mergers: Record<'simple' | 'fisher' | 'regmean', { accuracy: number; loss: number }>;
  readonly parents: readonly { id: string; accuracy: number; loss: number }[];
}

/** The fixture directories of `group` that are missing (empty when it can run). */
export function missingFixtures(group: FixtureGroup): string[] {
  return group.dirs.filter((d) => !fs.existsSync(path.join(FIXTURES, d, 'config.json')));
}

/**
 * Merges the group's classifiers with simple, Fisher and RegMean (statistics from each model's own
 * training domain) and scores the merged models and every parent, macro-averaged over the domains'
 * validation examples.
 */
export async function compareGroup(group: FixtureGroup): Promise<GroupComparison> {
  const task = group.load();
  const loaded = group.dirs.map((d) => loadModelDir(path.join(FIXTURES, d)));
  const tok = loaded[0].tokenizer!;
  const special = { cls: tok.specialIds.cls!, sep: tok.specialIds.sep!, pad: tok.specialIds.pad! };
  const encode = (t: string) => tok.encode(t, { addSpecialTokens: false }).ids;
  const domains = group.dirs.map((d) => d.slice(group.task.length + 1));
  const split = (xs: LabelledTask['train'], domain: string, n: number) => xs.filter((e) => e.domain === domain).slice(0, n);
  const models: ModelWeights[] = loaded.map((m, k) => ({ config: m.config, params: m.params, head: 'classifier', id: group.dirs[k] }));
  const config = loaded[0].config as EncoderConfig;
  const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).use(fisherPlugin()).freeze();
  const spec = registry.architectureFor(config).buildSpec(config, { head: 'classifier', params: models[0].params });
  const stats: Map<string, StatsBundle>[] = [];
  for (let k = 0; k < models.length; k++) {
    const train = split(task.train, domains[k], GRAM_EXAMPLES);
    const gram = await registry.collector('gram').collect({ spec, model: models[k], batches: batchesOf(train, encode, special, 16), options: { data: `${task.name} ${domains[k]} train` } });
    const fisher = await registry.collector('fisher').collect({ spec, model: models[k], batches: batchesOf(train.slice(0, FISHER_EXAMPLES), encode, special, FISHER_EXAMPLES) });
    stats.push(new Map([['gram', gram], ['fisher', fisher]]));
  }
  const validation = domains.map((d) => batchesOf(split(task.validation, d, EVAL_EXAMPLES), encode, special, 32));
  const mergers = {} as GroupComparison['mergers'];
  for (const method of ['simple', 'fisher', 'regmean'] as const) {
    const merger = registry.merger(method);
    const r = await merger.merge({ spec, models, stats, params: merger.params.parse({}), seed: 0 });
    mergers[method] = evaluate(config, r.params, validation);
  }
  const parents = models.map((m) => ({ id: m.id!, ...evaluate(config, m.params, validation) }));
  return { task: group.task, mergers, parents };
}

/** True when RegMean ≥ Fisher ≥ simple in accuracy (within {@link SLACK}). */
export function orderingHolds(c: GroupComparison): boolean {
  return c.mergers.regmean.accuracy >= c.mergers.fisher.accuracy - SLACK && c.mergers.fisher.accuracy >= c.mergers.simple.accuracy - SLACK;
}

/** A Markdown table of a comparison, with where a merger falls below its worst parent. */
export function comparisonTable(cs: readonly GroupComparison[]): string {
  const rows = ['| task | model | accuracy | loss | note |', '| --- | --- | --- | --- | --- |'];
  for (const c of cs) {
    const worst = Math.min(...c.parents.map((p) => p.accuracy));
    for (const p of c.parents) rows.push(`| ${c.task} | ${p.id} | ${p.accuracy.toFixed(3)} | ${p.loss.toFixed(3)} | parent |`);
    for (const [m, s] of Object.entries(c.mergers)) {
      rows.push(`| ${c.task} | ${m} | ${s.accuracy.toFixed(3)} | ${s.loss.toFixed(3)} | ${s.accuracy < worst ? `below the worst parent (${worst.toFixed(3)})` : ''} |`);
    }
  }
  return rows.join('\n');
}
