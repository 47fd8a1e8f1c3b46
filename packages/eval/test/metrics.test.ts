import { fromHost } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classificationScores, interpolateParams, layerOfParamName, parameterDistances } from '../src/index.js';

const t = (xs: number[], shape = [xs.length]) => fromHost(Float32Array.from(xs), shape);

describe('classificationScores', () => {
  it('computes accuracy and macro-F1 of a hand-checked example', () => {
    // gold 0 0 1 1 2, predicted 0 1 1 1 0
    const s = classificationScores([0, 1, 1, 1, 0], [0, 0, 1, 1, 2], 3);
    expect(s.accuracy).toBeCloseTo(3 / 5, 12);
    // class 0: tp 1 fp 1 fn 1 → 0.5; class 1: tp 2 fp 1 fn 0 → 0.8; class 2: tp 0 fp 0 fn 1 → 0.
    expect(s.f1[0]).toBeCloseTo(0.5, 12);
    expect(s.f1[1]).toBeCloseTo(0.8, 12);
    expect(s.f1[2]).toBe(0);
    expect(s.macroF1).toBeCloseTo((0.5 + 0.8 + 0) / 3, 12);
    expect(s.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
  });
  it('leaves out a class that never occurs nor is predicted', () => {
    const s = classificationScores([0, 1], [0, 1], 3);
    expect(s.macroF1).toBe(1);
    expect(Number.isNaN(s.f1[2])).toBe(true);
  });
  it('has accuracy = macro-F1 = 1 exactly when every prediction is right', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), (gold) => {
        const s = classificationScores(gold, gold, 4);
        expect(s.accuracy).toBe(1);
        expect(s.macroF1).toBe(1);
      }),
    );
  });
  it('rejects labels outside the classes', () => {
    expect(() => classificationScores([0, 5], [0, 1], 2)).toThrow(/example 1 has gold 1 and prediction 5/);
  });
});

describe('interpolateParams', () => {
  const a = new Map([['w', t([1, 2, 3])]]);
  const b = new Map([['w', t([3, 2, 1])]]);
  it('gives A at λ = 1, B at λ = 0 and the mean at λ = 0.5', () => {
    expect(Array.from(interpolateParams(a, b, 1).get('w')!.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(interpolateParams(a, b, 0).get('w')!.dataSync())).toEqual([3, 2, 1]);
    expect(Array.from(interpolateParams(a, b, 0.5).get('w')!.dataSync())).toEqual([2, 2, 2]);
  });
  it('names a parameter whose shape differs', () => {
    expect(() => interpolateParams(a, new Map([['w', t([1, 2, 3], [3, 1])]]), 0.5)).toThrow(/'w' is f32\[3\] in the first model and f32\[3, 1\]/);
    expect(() => interpolateParams(a, new Map([['v', t([1, 2, 3])]]), 0.5)).toThrow(/'w' of the first model is missing/);
  });
});

describe('parameterDistances', () => {
  it('groups by layer and adds squares over groups', () => {
    const names = ['bert.embeddings.word_embeddings.weight', 'bert.encoder.layer.0.output.dense.weight', 'bert.encoder.layer.1.output.dense.weight', 'cls.predictions.bias'];
    const a = new Map(names.map((n, i) => [n, t([i, 0])]));
    const b = new Map(names.map((n, i) => [n, t([i + 1, 1])]));
    const r = parameterDistances(a, b);
    expect(r.perLayer.map((g) => g.group)).toEqual(['embeddings', 'layer.0', 'layer.1', 'head']);
    for (const g of r.perLayer) expect(g.l2).toBeCloseTo(Math.SQRT2, 6);
    expect(r.total.l2).toBeCloseTo(Math.sqrt(8), 6);
    expect(r.perTensor[1].layer).toBe(0);
    expect(layerOfParamName('roberta.encoder.layer.11.attention.self.query.weight')).toBe(11);
    expect(parameterDistances(a, a).total.l2).toBe(0);
  });
});
