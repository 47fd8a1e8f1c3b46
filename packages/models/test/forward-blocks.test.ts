/**
 * The public parts of the forward pass (`embedTokens`, `encoderLayer`, `encoderOutput`, `mlmHead`,
 * `classifierHead` over a `createForwardContext`), each given only its own unit's parameters, chain
 * to exactly `forward` — outputs and every tap — for any configuration of the family, with padding.
 * (`forward` itself is checked against PyTorch in reference-torch.test.ts.)
 */
import { type Tensor } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EncoderConfig, type HeadKind, ModelInputError, ParamMismatchError, type ParamMap, type TapCollector, classifierHead, classifierHeadNames,
  createForwardContext, embedTokens, embeddingParamNames, encoderLayer, encoderOutput, finalLayerNormNames, forward, initParams, layerParamNames,
  mlmHead, mlmHeadNames,
} from '../src/model/index.js';

const arbCase = fc
  .record({
    modelType: fc.constantFrom('bert', 'roberta'),
    placement: fc.constantFrom('post', 'pre'),
    act: fc.constantFrom('gelu', 'gelu_tanh', 'relu'),
    heads: fc.integer({ min: 1, max: 3 }),
    headDim: fc.integer({ min: 1, max: 3 }),
    layers: fc.integer({ min: 1, max: 3 }),
    ffn: fc.integer({ min: 1, max: 7 }),
    head: fc.constantFrom<HeadKind>('none', 'mlm', 'classifier'),
    seed: fc.integer({ min: 0, max: 1 << 20 }),
    lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    tokens: fc.array(fc.integer({ min: 2, max: 10 }), { minLength: 15, maxLength: 15 }),
  })
  .map((r) => {
    const roberta = r.modelType === 'roberta';
    const config: EncoderConfig = {
      modelType: r.modelType, hiddenSize: r.heads * r.headDim, numLayers: r.layers, numHeads: r.heads, intermediateSize: r.ffn,
      hiddenAct: r.act, layerNormEps: 1e-5, layerNormPlacement: r.placement, vocabSize: 11, maxPositionEmbeddings: 16,
      typeVocabSize: roberta ? 1 : 2, padTokenId: roberta ? 1 : 0, numLabels: 3,
    };
    // Sequences of different lengths, right-padded: the attention mask and the taps' row selection matter.
    const T = Math.max(...r.lengths);
    const ids: number[] = [];
    const mask: number[] = [];
    r.lengths.forEach((len, b) => {
      for (let t = 0; t < T; t++) {
        ids.push(t < len ? r.tokens[(b * 5 + t) % 15] : config.padTokenId);
        mask.push(t < len ? 1 : 0);
      }
    });
    return { config, head: r.head, params: initParams(config, { head: r.head, seed: r.seed, std: 0.5 }), batch: { ids, mask, batch: r.lengths.length, seqLen: T } };
  });

/** Records every site's rows (copied) in emission order. */
function recorder(): TapCollector & { readonly seen: [string, number[], number[]][] } {
  const seen: [string, number[], number[]][] = [];
  return { seen, wants: () => true, collect: (site, x, info) => seen.push([site, [...x.dataSync()], [...info.positions]]) };
}

function pick(params: ParamMap, names: readonly string[]): ParamMap {
  return new Map(names.map((n) => [n, params.get(n)!]));
}

function layerNames(config: EncoderConfig, l: number): string[] {
  const n = layerParamNames(config.modelType as 'bert', l);
  return [n.query, n.key, n.value, n.attnOut, n.ln1, n.ffnIn, n.ffnOut, n.ln2].flatMap((x) => [x.weight, x.bias]);
}

describe('forward parts', () => {
  it('chained unit by unit, each with only its own parameters, equal forward bit for bit, taps included (property)', () => {
    fc.assert(
      fc.property(arbCase, ({ config, head, params, batch }) => {
        const type = config.modelType as 'bert';
        const whole = recorder();
        const want = forward({ config, params, head }, batch, { taps: whole });
        const parts = recorder();
        const ctx = createForwardContext(config, batch, { taps: parts });
        const e = embeddingParamNames(type);
        let x: Tensor = embedTokens(pick(params, [e.word, e.position, e.tokenType, e.ln.weight, e.ln.bias]), ctx);
        for (let l = 0; l < config.numLayers; l++) {
          const next = encoderLayer(pick(params, layerNames(config, l)), l, x, ctx);
          x.dispose();
          x = next;
        }
        const f = finalLayerNormNames(type);
        const y = encoderOutput(config.layerNormPlacement === 'pre' ? pick(params, [f.weight, f.bias]) : new Map(), x, ctx);
        if (y !== x) x.dispose();
        expect([...y.dataSync()]).toEqual([...want.hidden.dataSync()]);
        if (head === 'mlm') {
          const h = mlmHeadNames(type);
          const logits = mlmHead(pick(params, [h.dense.weight, h.dense.bias, h.ln.weight, h.ln.bias, h.bias, e.word]), y, ctx);
          expect(logits.shape).toEqual(want.logits!.shape);
          expect([...logits.dataSync()]).toEqual([...want.logits!.dataSync()]);
        } else if (head === 'classifier') {
          const h = classifierHeadNames(type);
          const out = classifierHead(pick(params, [h.first.weight, h.first.bias, h.out.weight, h.out.bias]), y, ctx);
          expect([...out.logits.dataSync()]).toEqual([...want.logits!.dataSync()]);
          expect([...out.pooled.dataSync()]).toEqual([...want.pooled!.dataSync()]);
        }
        ctx.dispose();
        expect(parts.seen).toEqual(whole.seen);
      }),
      { numRuns: 40 },
    );
  });

  it('name a missing parameter and a bad layer index', () => {
    const config: EncoderConfig = {
      modelType: 'bert', hiddenSize: 4, numLayers: 2, numHeads: 2, intermediateSize: 6, hiddenAct: 'gelu', layerNormEps: 1e-12,
      layerNormPlacement: 'post', vocabSize: 9, maxPositionEmbeddings: 8, typeVocabSize: 2, padTokenId: 0,
    };
    const params = initParams(config, { seed: 1 });
    const ctx = createForwardContext(config, { ids: [2, 3, 4], batch: 1, seqLen: 3 });
    const x = embedTokens(params, ctx);
    const n = layerParamNames('bert', 1);
    const partial = pick(params, layerNames(config, 1).filter((k) => k !== n.ffnOut.weight));
    expect(() => encoderLayer(partial, 1, x, ctx)).toThrow(ParamMismatchError);
    expect(() => encoderLayer(partial, 1, x, ctx)).toThrow(/bert\.encoder\.layer\.1\.output\.dense\.weight: is missing from the 15 parameters/);
    expect(() => encoderLayer(params, 2, x, ctx)).toThrow(ModelInputError);
    expect(() => encoderLayer(params, 2, x, ctx)).toThrow(/layer: is 2; expected an integer in \[0, numLayers=2\)/);
    expect(() => createForwardContext(config, { ids: [2, 30], batch: 1, seqLen: 2 })).toThrow(/ids: entry 1 .* is 30/);
    ctx.dispose();
    ctx.dispose();
  });
});
