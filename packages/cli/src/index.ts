/**
 * @symfuse/cli — the `symfuse` command (`bin/symfuse.mjs`, entry `src/main.ts`) and the pieces other
 * programs and tests reuse: the merge job, its configuration schema and the data samples it
 * evaluates on (so a report's numbers can be recomputed).
 */
export { main, runCli, findCommand } from './main.js';
export type { Command, CommandEnv } from './command.js';
export { commands } from './commands/index.js';
export { EXIT, UsageError, CliError, oneLine } from './errors.js';
export { mergeConfigSchema, parseMergeConfig, readMergeConfig, configToYaml, type MergeConfig } from './config.js';
export { runMergeJob, type JobContext, type MergeJobResult } from './job/merge-job.js';
export * from './job/streaming/index.js';
export { evalSample, statsSample, resolveSource, sourceDomains, EVAL_DEFAULTS, STATS_DEFAULTS, type SampleSettings, type EvalSample, type StatsSample } from './data.js';
export { buildRegistry, createRun, checkIds } from './registry.js';
export { stageOutput, cleanupStaging, type StagedOutput } from './staging.js';
export { demoConfig } from './commands/demo.js';
