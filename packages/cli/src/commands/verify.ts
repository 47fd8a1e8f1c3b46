/** `symfuse verify A B`: are two models the same function? Exit 0 when equivalent, 1 when not. */
import { verifyAsync } from '@symfuse/symmetry';
import { int } from '../args.js';
import { type Command, print } from '../command.js';
import { UsageError } from '../errors.js';
import { loadCliModel } from '../models.js';
import { setup } from './shared.js';

const help = `usage: symfuse verify A B [--tolerance T] [--seed N] [--probes N] [--compare logits|hidden|both] [--json]

Runs both model directories on the same seeded random probe batches (with padding) and compares their
outputs. Prints the largest output difference. Exit code 0 when every output agrees within
T · max(1, max|output|) (default T = 1e-4 for f32 weights), 1 when not (or on failure), 2 usage error.
Use it to check that an aligned model is a re-parameterisation of the original.
--backend cpu|webgpu runs the forward passes there (default cpu); both models run on the same backend.
WebGPU's f32 kernels round differently from the CPU's (an aligned fixture differs from its original
by about 1e-5 on either), well inside the default tolerance.`;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check two models compute the same function (exit 0) or not (exit 1)',
  help,
  async run(argv, env) {
    const s = await setup('verify', argv, { tolerance: { type: 'string' }, seed: { type: 'string' }, probes: { type: 'string' }, compare: { type: 'string' } }, env, help, true);
    if (!s) return 0;
    if (s.positionals.length !== 2) throw new UsageError(`expected two model directories, got ${s.positionals.length}`, 'verify');
    const tol = s.flags.tolerance === undefined ? undefined : Number(s.flags.tolerance);
    if (tol !== undefined && !(tol > 0)) throw new UsageError(`--tolerance ${JSON.stringify(s.flags.tolerance)}: expected a positive number`, 'verify');
    const compare = s.flags.compare as string | undefined;
    if (compare !== undefined && !['logits', 'hidden', 'both'].includes(compare)) throw new UsageError(`--compare ${JSON.stringify(compare)}: expected logits, hidden or both`, 'verify');
    const [a, b] = s.positionals.map((d) => loadCliModel(d));
    const seed = int(s.flags, 'seed', 'verify', 0, 0);
    const count = int(s.flags, 'probes', 'verify', 2);
    const { makeProbes } = await import('@symfuse/symmetry');
    const probes = makeProbes(a.loaded.config, { seed, count, batch: 3, seqLen: 16 });
    const r = await verifyAsync(s.device.model(a.weights), s.device.model(b.weights), { probes, ...(tol !== undefined ? { tolerance: tol } : {}), ...(compare ? { compare: compare as 'logits' | 'hidden' | 'both' } : {}) });
    if (s.json) print(env, JSON.stringify({ equivalent: r.equivalent, maxAbsDiff: r.maxAbsDiff, tolerance: r.tolerance, outputs: r.outputs, backend: s.backend }, null, 2));
    else print(env, `${r.equivalent ? 'equivalent' : 'NOT equivalent'}: largest output difference ${r.maxAbsDiff.toExponential(3)} (${r.outputs.map((o) => `${o.output} max|Δ| ${o.maxAbsDiff.toExponential(3)} of scale ${o.maxAbs.toPrecision(3)}`).join('; ')}; tolerance ${r.tolerance} relative)`);
    return r.equivalent ? 0 : 1;
  },
};
