/** `symfuse train fixtures …`: the fixture-training pipeline (delegated to `fixtures/main.ts`). */
import { type Command, print } from '../command.js';
import { UsageError } from '../errors.js';

const help = `usage: symfuse train fixtures prepare  [--work DIR]
       symfuse train fixtures mlm      --seed N --steps S [--budget SECONDS] [--out DIR] [--work DIR]
       symfuse train fixtures classify --name NAME --steps S [--budget SECONDS] [--work DIR]

Trains the small fixture models the tests and 'symfuse demo' use (recipe in
packages/cli/src/fixtures/recipe.ts). A slice that runs out of --budget saves its state and exits 0;
the same command resumes it.`;

export const trainCommand: Command = {
  name: 'train',
  summary: "train the fixture models ('symfuse train fixtures prepare|mlm|classify')",
  help,
  async run(argv, env) {
    const [what, ...rest] = argv;
    if (what === undefined || what === '--help' || what === '-h') {
      print(env, help);
      return what === undefined ? 2 : 0;
    }
    if (what !== 'fixtures') throw new UsageError(`unknown training target '${what}'; known: fixtures`, 'train');
    if (rest.includes('--help') || rest.includes('-h')) {
      print(env, help);
      return 0;
    }
    const { runFixtureCommand } = await import('../fixtures/main.js');
    return runFixtureCommand(rest);
  },
};
