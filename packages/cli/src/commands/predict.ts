/**
 * `symfuse predict DIR --text "…" | --ids 1,2,3`: fill-mask top-k for MLMs (at every [MASK]),
 * class probabilities for classifiers.
 */
import { forward, type ModelConfig } from '@symfuse/models';
import { type Tensor, tidy } from '@symfuse/tensor';
import { int, list, str } from '../args.js';
import { type Command, print } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { loadCliModel } from '../models.js';
import { setup } from './shared.js';

const help = `usage: symfuse predict DIR (--text "…" | --ids 1,2,3) [--top K] [--json]

MLM: the top K tokens (default 5) at every [MASK] of the input, with probabilities.
Classifier: the probability of every class.
--text is tokenized with the model's tokenizer ([CLS] … [SEP] added); --ids are token ids as they
are (add the special ids yourself). --json prints full rows.
--backend cpu|webgpu runs the forward pass there (default cpu).`;

/** The logits of one forward pass (every other tensor freed), read back to the host. */
async function logitsOf(run: () => Tensor): Promise<{ data: ArrayLike<number>; width: number }> {
  const t = tidy(run);
  try {
    return { data: t.backend.readSync(t.storage) ?? (await t.data()), width: t.shape[1] };
  } finally {
    t.dispose();
  }
}

function softmax(logits: ArrayLike<number>, off: number, n: number): Float64Array {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) mx = Math.max(mx, logits[off + j]);
  const p = new Float64Array(n);
  let s = 0;
  for (let j = 0; j < n; j++) {
    p[j] = Math.exp(logits[off + j] - mx);
    s += p[j];
  }
  for (let j = 0; j < n; j++) p[j] /= s;
  return p;
}

function topK(p: Float64Array, k: number): number[] {
  const idx: number[] = [];
  for (let j = 0; j < p.length; j++) {
    if (idx.length < k) {
      idx.push(j);
      idx.sort((a, b) => p[b] - p[a]);
    } else if (p[j] > p[idx[k - 1]]) {
      idx[k - 1] = j;
      idx.sort((a, b) => p[b] - p[a]);
    }
  }
  return idx;
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'fill-mask top-k (MLM) or class probabilities (classifier) for a text or token ids',
  help,
  async run(argv, env) {
    const s = await setup('predict', argv, { text: { type: 'string' }, ids: { type: 'string' }, top: { type: 'string' } }, env, help, true);
    if (!s) return 0;
    const cmd = 'predict';
    if (s.positionals.length !== 1) throw new UsageError(`expected one model directory, got ${s.positionals.length}`, cmd);
    const text = str(s.flags, 'text', cmd);
    const idsFlag = str(s.flags, 'ids', cmd);
    if ((text === undefined) === (idsFlag === undefined)) throw new UsageError('give exactly one of --text and --ids', cmd);
    const k = int(s.flags, 'top', cmd, 5, 1, 1000);
    const m = loadCliModel(s.positionals[0]);
    const config = m.loaded.config as ModelConfig;
    let ids: number[];
    if (text !== undefined) {
      if (!m.tokenizer) throw new CliError(`${m.dir} has no tokenizer.json; use --ids`);
      ids = m.tokenizer.encode(text, { maxLength: config.maxSequenceLength }).ids;
    } else {
      ids = list(idsFlag).map((x) => Number(x));
      const bad = ids.findIndex((x) => !Number.isInteger(x) || x < 0 || x >= config.vocabSize);
      if (bad >= 0) throw new UsageError(`--ids: position ${bad} holds ${JSON.stringify(list(idsFlag)[bad])}; expected integer ids in [0, ${config.vocabSize})`, cmd);
      if (ids.length > config.maxSequenceLength) throw new UsageError(`--ids: ${ids.length} ids; the model takes at most ${config.maxSequenceLength}`, cmd);
    }
    if (ids.length === 0) throw new UsageError('the input is empty', cmd);
    const tokens = ids.map((id) => m.tokenizer?.idToToken(id) ?? String(id));
    const head = m.loaded.head;
    const params = new Map(s.device.params(m.weights.params));
    if (head === 'mlm') {
      const maskId = m.tokenizer?.specialIds.mask;
      const positions = ids.map((id, i) => (id === maskId ? i : -1)).filter((i) => i >= 0);
      if (maskId === undefined || positions.length === 0) throw new UsageError(`no ${m.tokenizer?.specialTokens.mask ?? '[MASK]'} token in the input; fill-mask predicts at masked positions`, cmd);
      const { data: logits, width: v } = await logitsOf(() => forward({ config, params, head: 'mlm' }, { ids: Int32Array.from(ids), batch: 1, seqLen: ids.length }, { mlmRows: Int32Array.from(positions) }).logits!);
      const rows = positions.map((pos, row) => {
        const p = softmax(logits, row * v, v);
        return { position: pos, top: topK(p, k).map((id) => ({ id, token: m.tokenizer?.idToToken(id) ?? String(id), probability: p[id] })) };
      });
      if (s.json) print(env, JSON.stringify({ head, ids, tokens, masks: rows, backend: s.backend }, null, 2));
      else print(env, rows.map((r) => `position ${r.position}: ${r.top.map((t) => `${t.token} ${(t.probability * 100).toFixed(1)}%`).join(', ')}`).join('\n'));
      return 0;
    }
    if (head === 'classifier') {
      const { data: logits, width } = await logitsOf(() => forward({ config, params, head: 'classifier' }, { ids: Int32Array.from(ids), batch: 1, seqLen: ids.length }).logits!);
      const probs = Array.from(softmax(logits, 0, width));
      const labels = probs.map((p, i) => ({ label: config.id2label[i] ?? String(i), probability: p }));
      if (s.json) print(env, JSON.stringify({ head, ids, tokens, classes: labels, backend: s.backend }, null, 2));
      else print(env, labels.map((l) => `${l.label}: ${(l.probability * 100).toFixed(1)}%`).join('\n'));
      return 0;
    }
    throw new CliError(`${m.dir} has no task head (head '${head}'); predict needs an MLM or classifier head`);
  },
};
