/**
 * The registry of experiments: name → description → run. `symfuse reproduce <name>` and
 * `experiments/run-all.ts` look experiments up here; each is also a script of its own
 * (`node --import tsx experiments/<name>.ts [--quick]`). Listed in the order the suite runs them
 * (the by-component MLM curves first: later MLM tables reuse their cached runs).
 */
import type { Experiment } from './lib/experiment.js';
import { experiment as regmeanAligned } from './regmean-aligned.js';
import { experiment as regmeanAlpha } from './regmean-alpha.js';
import { experiment as regmeanDomains } from './regmean-domains.js';
import { experiment as regmeanExamples } from './regmean-examples.js';
import { experiment as rotationCost } from './rotation-cost.js';
import { experiment as rotationDistance } from './rotation-distance.js';
import { experiment as rotationFusion } from './rotation-fusion.js';
import { experiment as rotationLayers } from './rotation-layers.js';
import { experiment as veAttention } from './verma-elbayad-attention.js';
import { experiment as veComponents } from './verma-elbayad-components.js';
import { experiment as veCorrelations } from './verma-elbayad-correlations.js';
import { experiment as veDataAmount } from './verma-elbayad-data-amount.js';
import { experiment as veFinetuned } from './verma-elbayad-finetuned.js';
import { experiment as veResidual } from './verma-elbayad-residual.js';

export type { Experiment, ExperimentResult } from './lib/experiment.js';
export type { ExperimentOptions } from './lib/options.js';
/** For `symfuse reproduce <name> [flags]`: the flags of the scripts, and the script runner itself. */
export { parseCliOptions } from './lib/options.js';
export { cliMain } from './lib/experiment.js';

/** Every experiment, in suite order. */
export const EXPERIMENTS: readonly Experiment<object>[] = [
  veComponents,
  veAttention,
  veResidual,
  rotationFusion,
  regmeanDomains,
  veCorrelations,
  veDataAmount,
  veFinetuned,
  rotationDistance,
  rotationLayers,
  rotationCost,
  regmeanAlpha,
  regmeanExamples,
  regmeanAligned,
] as Experiment<object>[];

/** `{name, description, run}` of every experiment (what `symfuse reproduce --list` shows). */
export function listExperiments(): { name: string; title: string; reference: string; run: Experiment<object>['run'] }[] {
  return EXPERIMENTS.map((e) => ({ name: e.name, title: e.title, reference: e.reference, run: e.run }));
}

/**
 * The experiment of that name.
 * @throws Error naming the unknown name and listing the known ones.
 */
export function findExperiment(name: string): Experiment<object> {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new Error(`unknown experiment '${name}'; known: ${EXPERIMENTS.map((x) => x.name).join(', ')}`);
  return e;
}
