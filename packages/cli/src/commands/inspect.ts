/** `symfuse inspect DIR`: architecture, parameter count, dtypes, the symmetry spec, findings. */
import { formatNumber as num, markdownTable } from '@symfuse/eval';
import { summarizeModel } from '@symfuse/models';
import { validateSpec } from '@symfuse/symmetry';
import { type Command, print } from '../command.js';
import { UsageError } from '../errors.js';
import { loadCliModel } from '../models.js';
import { buildRegistry } from '../registry.js';
import { setup } from './shared.js';

const help = `usage: symfuse inspect DIR [--json]

Describes a model directory: architecture, sizes, parameter count and dtypes, the tokenizer, the
symmetry spec's spaces (what the aligners can act on) and validation findings (parameters neither
bound to a space nor declared invariant, unexpected tensors in the checkpoint).`;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: "describe a model: architecture, parameters, dtypes, symmetry spaces, findings",
  help,
  async run(argv, env) {
    const s = await setup('inspect', argv, {}, env, help, true);
    if (!s) return 0;
    if (s.positionals.length !== 1) throw new UsageError(`expected one model directory, got ${s.positionals.length}`, 'inspect');
    const m = loadCliModel(s.positionals[0]);
    const summary = summarizeModel({ config: m.loaded.config, params: new Map(m.weights.params), head: m.loaded.head });
    const registry = buildRegistry();
    const arch = registry.architectureFor(m.loaded.config);
    const spec = arch.buildSpec(m.loaded.config, { head: m.loaded.head, params: m.weights.params });
    const findings = [
      ...validateSpec(spec, m.weights.params).map((i) => `${i.code}: ${i.message}`),
      ...m.loaded.report.unexpected.map((k) => `unexpected tensor in the checkpoint: ${k}`),
      ...m.loaded.report.renamed.map((r) => `renamed on load: ${r.from} → ${r.to}`),
    ];
    const byComponent = new Map<string, { count: number; sizes: Set<number> }>();
    for (const sp of spec.spaces) {
      const c = byComponent.get(sp.component) ?? { count: 0, sizes: new Set<number>() };
      c.count++;
      c.sizes.add(sp.size);
      byComponent.set(sp.component, c);
    }
    const tok = m.tokenizer ? { kind: m.tokenizer.kind, vocabSize: m.tokenizer.vocabSize, special: m.tokenizer.specialTokens } : undefined;
    if (s.json) {
      print(env, JSON.stringify({ dir: m.dir, summary, tokenizer: tok, spec: { architecture: spec.architecture, provider: arch.id, spaces: spec.spaces.map((x) => ({ id: x.id, component: x.component, size: x.size, ...(x.layer !== undefined ? { layer: x.layer } : {}) })) }, findings }, null, 2));
      return 0;
    }
    const lines = [
      `${m.dir}: ${summary.architecture} (${summary.modelType}, ${summary.layerNormPlacement}-LN, ${summary.hiddenAct}), head ${summary.head}`,
      `layers ${summary.layers}, hidden ${summary.hidden}, heads ${summary.heads}, FFN ${summary.ffn}, vocabulary ${summary.vocab}, positions ${summary.maxPositions}${summary.numLabels !== undefined ? `, labels ${summary.numLabels}` : ''}`,
      `parameters ${num(summary.params)} in ${summary.tensors} tensors (${Object.entries(summary.dtypes).map(([d, n]) => `${d}: ${num(n)}`).join(', ')})`,
      tok ? `tokenizer: ${tok.kind}, ${tok.vocabSize} tokens` : 'tokenizer: none (no tokenizer.json)',
      '',
      `symmetry spec '${spec.architecture}' (${arch.id}): ${spec.spaces.length} spaces`,
      markdownTable(['component', 'spaces', 'size'], [...byComponent].map(([c, v]) => [c, String(v.count), [...v.sizes].join(', ')])),
      '',
      findings.length ? `findings:\n${findings.map((f) => `- ${f}`).join('\n')}` : 'findings: none (every parameter is bound to a space or declared invariant)',
    ];
    print(env, lines.join('\n'));
    return 0;
  },
};
