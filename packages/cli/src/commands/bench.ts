/**
 * `symfuse bench [SUITE…] [-- ARGS]`: runs the tinybench suites under `bench/` (`bench/run.ts` when it
 * exists, else each `bench/<suite>.bench.ts`), forwarding ARGS; `--list` lists them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Command, print } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { repoRoot } from './shared.js';

const help = `usage: symfuse bench [--list] [SUITE…] [-- ARGS…]

Runs the tinybench suites in bench/ (of the working directory, else of the symfuse checkout):
bench/run.ts when it exists and no suite is named, else bench/<SUITE>.bench.ts for each SUITE
(default: all). ARGS after -- are passed to each suite (e.g. -- --quick --json out.json).`;

function benchDir(): string {
  const local = path.resolve('bench');
  return fs.existsSync(local) ? local : path.join(repoRoot(), 'bench');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the tinybench suites under bench/ (--list lists them)',
  help,
  async run(argv, env) {
    const dash = argv.indexOf('--');
    const own = dash >= 0 ? argv.slice(0, dash) : [...argv];
    const forwarded = dash >= 0 ? argv.slice(dash + 1) : [];
    if (own.includes('--help') || own.includes('-h')) {
      print(env, help);
      return 0;
    }
    const dir = benchDir();
    const suites = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort() : [];
    if (own.includes('--list')) {
      print(env, suites.length ? suites.join('\n') : `no suites in ${dir}`);
      return 0;
    }
    const names = own.filter((a) => !a.startsWith('-'));
    const unknownFlag = own.find((a) => a.startsWith('-') && a !== '--list');
    if (unknownFlag) throw new UsageError(`unknown option ${unknownFlag}; put suite arguments after --`, 'bench');
    const runner = path.join(dir, 'run.ts');
    const files = names.length === 0 && fs.existsSync(runner) ? [runner] : (names.length ? names : suites).map((n) => {
      if (!suites.includes(n)) throw new UsageError(`unknown suite '${n}'; suites: ${suites.join(', ') || 'none'}`, 'bench');
      return path.join(dir, `${n}.bench.ts`);
    });
    if (files.length === 0) throw new CliError(`no benchmark suites in ${dir}`);
    for (const f of files) {
      process.stderr.write(`bench: ${path.relative(process.cwd(), f)}\n`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', f, ...forwarded], { stdio: 'inherit' });
      if (r.status !== 0) throw new CliError(`${path.basename(f)} exited with ${r.status ?? r.signal}`);
    }
    return 0;
  },
};
