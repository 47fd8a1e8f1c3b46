/**
 * Spec builders: completeness on random small configs (every parameter bound or invariant, sizes
 * right), the bindings the maths requires, validateSpec's findings, and the JSON form.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifierHeadNames, expectedParams, layerParamNames, mlmHeadNames, embeddingParamNames } from '@symfuse/models';
import {
  bertFamilyArchitecture,
  buildBertFamilySpec,
  specFromJson,
  specToJson,
  validateSpec,
  SpecError,
  type SymmetrySpec,
  indexSpec,
} from '../src/index.js';
import { arbEncoderConfig, smallEncoderConfig } from '../src/testing/index.js';

describe('BERT-family spec builder', () => {
  it('binds or declares invariant every parameter, with matching sizes, on random configs', () => {
    fc.assert(
      fc.property(arbEncoderConfig(), ({ config, head }) => {
        const spec = buildBertFamilySpec(config, head);
        const shapes = expectedParams(config, head);
        expect(validateSpec(spec, shapes)).toEqual([]);
        // one residual space, 3 spaces per layer, one head space for classifiers
        expect(spec.spaces.length).toBe(1 + 3 * config.numLayers + (head === 'classifier' ? 1 : 0));
        expect(spec.architecture).toBe(`${config.modelType}-${head}-${config.layerNormPlacement}-ln`);
        const ffn = spec.spaces.find((s) => s.id === 'layer.0.ffn')!;
        expect([...ffn.kinds].sort()).toEqual(config.hiddenAct === 'relu' ? ['permutation', 'scale'] : ['permutation']);
        const qk = spec.spaces.find((s) => s.id === 'layer.0.attention.qk')!;
        expect(qk.heads).toEqual({ count: config.numHeads, dim: config.hiddenSize / config.numHeads });
        expect(spec.spaces.find((s) => s.id === 'layer.0.attention.vo')!.headGroup).toBe(qk.headGroup);
        expect(spec.spaces.find((s) => s.id === 'residual')!.kinds).toEqual(['permutation']);
      }),
      { numRuns: 120 },
    );
  });

  it('binds the axes ALGORITHMS.md lists, with the right roles', () => {
    const config = smallEncoderConfig({ layerNormPlacement: 'pre' });
    const spec = buildBertFamilySpec(config, 'mlm');
    const idx = indexSpec(spec);
    const roles = (param: string) => (idx.bindingsByParam.get(param) ?? []).map((b) => `${b.axis}:${b.space}:${b.role}`).sort();
    const n = layerParamNames('bert', 1);
    expect(roles(n.query.weight)).toEqual(['0:layer.1.attention.qk:out', '1:residual:in']);
    expect(roles(n.key.weight)).toEqual(['0:layer.1.attention.qk:in', '1:residual:in']);
    expect(roles(n.key.bias)).toEqual(['0:layer.1.attention.qk:in']);
    expect(roles(n.value.weight)).toEqual(['0:layer.1.attention.vo:out', '1:residual:in']);
    expect(roles(n.attnOut.weight)).toEqual(['0:residual:out', '1:layer.1.attention.vo:in']);
    expect(roles(n.attnOut.bias)).toEqual(['0:residual:out']);
    expect(roles(n.ffnIn.weight)).toEqual(['0:layer.1.ffn:out', '1:residual:in']);
    expect(roles(n.ffnOut.weight)).toEqual(['0:residual:out', '1:layer.1.ffn:in']);
    expect(roles(n.ln1.weight)).toEqual(['0:residual:out']);
    expect(roles(embeddingParamNames('bert').word)).toEqual(['1:residual:out']);
    expect(roles('bert.encoder.final_layer_norm.bias')).toEqual(['0:residual:out']);
    const m = mlmHeadNames('bert');
    expect(roles(m.dense.weight)).toEqual(['0:residual:out', '1:residual:in']);
    expect(roles(m.ln.bias)).toEqual(['0:residual:out']);
    expect(spec.invariant).toEqual([m.bias]);
    const r = buildBertFamilySpec({ ...config, modelType: 'roberta' }, 'classifier');
    const c = classifierHeadNames('roberta');
    const ridx = indexSpec(r);
    expect(ridx.bindingsByParam.get(c.first.weight)!.map((b) => `${b.axis}:${b.space}:${b.role}`).sort()).toEqual(['0:head.classifier.dense:out', '1:residual:in']);
    expect(ridx.bindingsByParam.get(c.out.weight)!.map((b) => `${b.axis}:${b.space}:${b.role}`)).toEqual(['1:head.classifier.dense:in']);
    expect(r.invariant).toEqual([c.out.bias]);
  });

  it('the provider resolves the head from options, config.architectures and parameter names', () => {
    const p = bertFamilyArchitecture();
    const config = smallEncoderConfig();
    expect(p.matches(config)).toBe(true);
    expect(p.matches({ ...config, modelType: 'gpt2' })).toBe(false);
    expect(p.buildSpec(config, { head: 'classifier' }).architecture).toBe('bert-classifier-post-ln');
    expect(p.buildSpec({ ...config, architectures: ['BertForMaskedLM'] }).architecture).toBe('bert-mlm-post-ln');
    expect(p.buildSpec(config).architecture).toBe('bert-none-post-ln');
  });
});

describe('validateSpec', () => {
  const base = () => buildBertFamilySpec(smallEncoderConfig({ numLayers: 1 }), 'mlm');
  const codes = (spec: SymmetrySpec, shapes?: Parameters<typeof validateSpec>[1]) => validateSpec(spec, shapes).map((i) => i.code);

  it('reports unbound parameters, naming them', () => {
    const spec = base();
    const shapes = new Map(Object.entries(spec.params));
    shapes.set('extra.weight', [3, 3]);
    const issues = validateSpec(spec, shapes);
    expect(issues.map((i) => i.code)).toEqual(['unbound-param']);
    expect(issues[0].message).toContain("'extra.weight'");
  });

  it('reports bindings to unknown params, axes, spaces, and size mismatches', () => {
    const spec = base();
    const bad: SymmetrySpec = {
      ...spec,
      bindings: [
        ...spec.bindings,
        { param: 'nope.weight', axis: 0, space: 'residual', role: 'out' },
        { param: 'bert.embeddings.LayerNorm.weight', axis: 1, space: 'residual', role: 'out' },
        { param: 'bert.encoder.layer.0.intermediate.dense.weight', axis: 1, space: 'layer.9.ffn', role: 'in' },
        { param: 'bert.encoder.layer.0.intermediate.dense.bias', axis: 0, space: 'residual', role: 'out' },
      ],
    };
    const c = codes(bad);
    expect(c).toContain('unknown-param');
    expect(c).toContain('bad-axis');
    expect(c).toContain('unknown-space');
    expect(c).toContain('size-mismatch');
    // the same bias bound twice on the same axis overlaps
    expect(c).toContain('duplicate-binding');
  });

  it('reports malformed spaces, shape mismatches and invariant-but-bound parameters', () => {
    const spec = base();
    const spaces = spec.spaces.map((s) => (s.id === 'layer.0.attention.qk' ? { ...s, heads: { count: 3, dim: 3 } } : s));
    const badKinds = spec.spaces.map((s) => (s.id === 'residual' ? { ...s, kinds: ['head-orthogonal' as const] } : s));
    expect(codes({ ...spec, spaces })).toContain('bad-space');
    expect(codes({ ...spec, spaces: badKinds })).toContain('bad-kind');
    expect(codes({ ...spec, invariant: [...spec.invariant, 'bert.embeddings.LayerNorm.bias'] })).toContain('invariant-bound');
    const shapes = new Map(Object.entries(spec.params));
    shapes.set('bert.embeddings.LayerNorm.bias', [5]);
    expect(codes(spec, shapes)).toEqual(expect.arrayContaining(['shape-mismatch', 'size-mismatch']));
    expect(codes({ ...spec, spaces: [...spec.spaces, { id: 'orphan', size: 2, component: 'ffn', kinds: [] }] })).toEqual(['unused-space']);
  });
});

describe('JSON form', () => {
  it('round-trips every built spec', () => {
    fc.assert(
      fc.property(arbEncoderConfig(), ({ config, head }) => {
        const spec = buildBertFamilySpec(config, head);
        const text = JSON.stringify(specToJson(spec));
        expect(specFromJson(text)).toEqual(JSON.parse(JSON.stringify(spec)));
      }),
      { numRuns: 30 },
    );
  });

  it('describes a small MLP without code', () => {
    const spec = specFromJson({
      format: 'symfuse-symmetry-spec',
      version: 1,
      architecture: 'mlp',
      spaces: [{ id: 'hidden', size: 4, component: 'ffn', kinds: ['permutation', 'scale'] }],
      bindings: [
        { param: 'fc1.weight', axis: 0, space: 'hidden', role: 'out' },
        { param: 'fc1.bias', axis: 0, space: 'hidden', role: 'out' },
        { param: 'fc2.weight', axis: 1, space: 'hidden', role: 'in' },
      ],
      invariant: ['fc2.bias'],
      params: { 'fc1.weight': [4, 2], 'fc1.bias': [4], 'fc2.weight': [1, 4], 'fc2.bias': [1] },
    });
    expect(spec.spaces[0].kinds).toEqual(['permutation', 'scale']);
  });

  it('errors name the path, the value and what is allowed', () => {
    const json = specToJson(buildBertFamilySpec(smallEncoderConfig({ numLayers: 1 }), 'none')) as Record<string, unknown>;
    const spaces = (json.spaces as Record<string, unknown>[]).map((s, i) => (i === 1 ? { ...s, kinds: ['rotation'] } : s));
    let msg = '';
    try {
      specFromJson({ ...json, spaces, bogus: 1 });
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      msg = (e as Error).message;
    }
    expect(msg).toContain('spaces[1].kinds[0] = "rotation"');
    expect(msg).toContain('"head-orthogonal"');
    expect(msg).toContain('bogus');
    expect(msg).toContain('allowed keys: format, version, architecture');
    const bindings = (json.bindings as Record<string, unknown>[]).map((b, i) => (i === 0 ? { ...b, role: 'sideways', axis: -1 } : b));
    expect(() => specFromJson({ ...json, bindings })).toThrow(/bindings\[0\]\.role = "sideways".*expected one of "out"\|"in"/);
    expect(() => specFromJson({ ...json, bindings })).toThrow(/bindings\[0\]\.axis = -1/);
    // consistent with the schema but not with itself: validateSpec's findings
    const unknown = (json.bindings as Record<string, unknown>[]).map((b, i) => (i === 0 ? { ...b, space: 'nowhere' } : b));
    expect(() => specFromJson({ ...json, bindings: unknown })).toThrow(/unknown-space.*'nowhere'/);
    expect(() => specFromJson('{ not json')).toThrow(/not valid JSON/);
  });
});
