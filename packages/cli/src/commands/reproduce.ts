/**
 * `symfuse reproduce [NAME]`: lists the experiments under `experiments/` and runs one
 * (`experiments/<NAME>/run.ts` or `experiments/<NAME>.ts`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Command, print } from '../command.js';
import { CliError } from '../errors.js';
import { repoRoot } from './shared.js';

const help = `usage: symfuse reproduce [NAME] [-- ARGS…]

Without NAME, lists the experiments in experiments/ (the papers' tables and figures). With NAME, runs
experiments/NAME/run.ts (or experiments/NAME.ts), passing ARGS.`;

/** Files of experiments/ that are infrastructure, not experiments. */
const NOT_EXPERIMENTS = new Set(['index.ts', 'run-all.ts']);

function experiments(): { dir: string; names: Map<string, string> } {
  const local = path.resolve('experiments');
  const dir = fs.existsSync(local) ? local : path.join(repoRoot(), 'experiments');
  const names = new Map<string, string>();
  if (fs.existsSync(dir)) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'run.ts'))) names.set(e.name, path.join(dir, e.name, 'run.ts'));
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !NOT_EXPERIMENTS.has(e.name)) names.set(e.name.slice(0, -3), path.join(dir, e.name));
    }
  }
  return { dir, names };
}

export const reproduceCommand: Command = {
  name: 'reproduce',
  summary: 'list or run the experiments under experiments/',
  help,
  async run(argv, env) {
    const dash = argv.indexOf('--');
    const own = dash >= 0 ? argv.slice(0, dash) : [...argv];
    if (own.includes('--help') || own.includes('-h')) {
      print(env, help);
      return 0;
    }
    const { dir, names } = experiments();
    const name = own.find((a) => !a.startsWith('-'));
    if (!name) {
      print(env, names.size ? [...names.keys()].sort().join('\n') : `no experiments yet (${dir} has none)`);
      return 0;
    }
    const file = names.get(name);
    if (!file) throw new CliError(`unknown experiment '${name}'; experiments: ${[...names.keys()].sort().join(', ') || `none yet in ${dir}`}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...(dash >= 0 ? argv.slice(dash + 1) : [])], { stdio: 'inherit' });
    if (r.status !== 0) throw new CliError(`${name} exited with ${r.status ?? r.signal}`);
    return 0;
  },
};
