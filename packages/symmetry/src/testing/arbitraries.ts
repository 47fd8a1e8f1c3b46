/**
 * fast-check arbitraries for property tests of plugins: small encoder configs covering BERT and
 * RoBERTa, post-LN and pre-LN, every activation and head.
 */
import fc from 'fast-check';
import type { EncoderConfig, HeadKind } from '@symfuse/models';
import { smallEncoderConfig } from './random-model.js';

/** Constraints of {@link arbEncoderConfig}. */
export interface ArbConfigOptions {
  readonly layers?: readonly number[];
  readonly hidden?: readonly number[];
  readonly heads?: readonly number[];
  readonly activations?: readonly string[];
}

/** A small config and a head: layers 1–3, hidden {8, 16, 32}, heads {1, 2, 4}, any placement/type/head. */
export function arbEncoderConfig(options: ArbConfigOptions = {}): fc.Arbitrary<{ config: EncoderConfig; head: HeadKind }> {
  return fc
    .record({
      modelType: fc.constantFrom('bert', 'roberta'),
      numLayers: fc.constantFrom(...(options.layers ?? [1, 2, 3])),
      hiddenSize: fc.constantFrom(...(options.hidden ?? [8, 16, 32])),
      numHeads: fc.constantFrom(...(options.heads ?? [1, 2, 4])),
      ffnMult: fc.constantFrom(1, 2, 3),
      hiddenAct: fc.constantFrom(...(options.activations ?? ['gelu', 'gelu_tanh', 'relu'])),
      layerNormPlacement: fc.constantFrom('post', 'pre'),
      head: fc.constantFrom<HeadKind>('none', 'mlm', 'classifier'),
      numLabels: fc.integer({ min: 1, max: 4 }),
    })
    .map((r) => ({
      config: smallEncoderConfig({
        modelType: r.modelType,
        numLayers: r.numLayers,
        hiddenSize: r.hiddenSize,
        numHeads: r.numHeads,
        intermediateSize: r.hiddenSize * r.ffnMult + 1,
        hiddenAct: r.hiddenAct,
        layerNormPlacement: r.layerNormPlacement,
        numLabels: r.numLabels,
      }),
      head: r.head,
    }));
}
