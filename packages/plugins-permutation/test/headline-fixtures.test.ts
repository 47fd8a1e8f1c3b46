/**
 * Headline: on the two fixture MLMs trained from different seeds (`fixtures/mlm-seed1`,
 * `fixtures/mlm-seed2`), aligning FFN + head-perm MHA lowers the midpoint loss barrier
 * `L(½θ_A + ½θ_B′) − ½(L_A + L_B)` below vanilla averaging, on a small held-out sample (correlations
 * and evaluation on disjoint blocks), and raises every site's mean matched correlation (Fig. 4).
 *
 * Findings: on the first fixtures (MLMs at unigram level) the paper's MLM setting with the residual
 * stream left as identity did not lower the barrier (0.753 vs vanilla 0.745) and aligning the residual
 * stream too (`first`, the paper's GLUE setting) removed almost all of it (0.029). On the retrained
 * fixtures (session 3: PPPL 0.28–0.38 of unigram) the barriers are larger and alignment removes less:
 * vanilla 1.823, FFN + head-perm 1.722, + residual first 1.015 (−44%). The test asserts the ordering
 * the paper reports (each alignment step lowers the barrier) and that aligning the residual stream too
 * removes at least a third of the vanilla barrier.
 *
 * Needs the fixtures (`symfuse train fixtures mlm --seed 1|2`); skipped, saying so in its name, when
 * they are absent. `SYMFUSE_FIXTURES` points at another fixtures folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, packBlocks } from '@symfuse/data';
import { loadModelDir } from '@symfuse/models';
import { bertFamilyArchitecture, type ModelWeights } from '@symfuse/symmetry';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BarrierStudy, barrierStudy, mlmData } from './barrier.js';

const root = process.env.SYMFUSE_FIXTURES ?? fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const dirs = ['mlm-seed1', 'mlm-seed2'].map((d) => path.join(root, d));
const missing = dirs.filter((d) => !fs.existsSync(path.join(d, 'config.json')));
const skipReason = missing.length ? ` [SKIPPED: ${missing.map((d) => path.relative(process.cwd(), d)).join(', ')} not found — train them with 'symfuse train fixtures mlm --seed 1' and '--seed 2']` : '';

/** Blocks of the fixture recipe (128 tokens) from the held-out split of the fixture corpus. */
function heldOutBlocks(tokenizer: NonNullable<ReturnType<typeof loadModelDir>['tokenizer']>, count: number): Int32Array[] {
  const { cls, sep } = tokenizer.specialIds as { cls?: number; sep?: number };
  const texts = loadCorpus('sotu+moby-dick').heldout();
  const docs: number[][] = [];
  let tokens = 0;
  for (const t of texts) {
    const ids = tokenizer.encode(t, { addSpecialTokens: false }).ids;
    docs.push(Array.from(ids));
    tokens += ids.length;
    if (tokens > count * 130) break;
  }
  const blocks = packBlocks(docs, 128, { cls: cls!, sep: sep! });
  if (blocks.length < count) throw new Error(`held-out text gave ${blocks.length} blocks; need ${count}`);
  return blocks.slice(0, count);
}

const VARIANTS = {
  // The paper's best MLM setting (§5.1): FFN + head-perm MHA, residual = identity.
  paper: { ffn: true, mha: 'head-perm', residual: 'identity' },
  // The same with the residual stream aligned from the embedding output (the paper's GLUE setting).
  residualFirst: { ffn: true, mha: 'head-perm', residual: 'first' },
} as const;

describe.skipIf(missing.length > 0)(`headline: Verma–Elbayad alignment of two fixture MLMs${skipReason}`, () => {
  let study: BarrierStudy;
  let summary = '';

  beforeAll(async () => {
    const loaded = dirs.map((d) => loadModelDir(d));
    const models: ModelWeights[] = loaded.map((m, k) => ({ config: m.config, params: m.params, head: m.head, id: path.basename(dirs[k]) }));
    const tokenizer = loaded[0].tokenizer;
    if (!tokenizer) throw new Error(`${dirs[0]} has no tokenizer.json`);
    const sp = tokenizer.specialIds as Record<string, number | undefined>;
    const special = ['cls', 'sep', 'pad', 'mask', 'unk'].map((k) => sp[k]).filter((x): x is number => x !== undefined);
    const blocks = heldOutBlocks(tokenizer, 16);
    const tokens = { maskId: sp.mask!, specialIds: special };
    // Correlations and evaluation on disjoint held-out blocks.
    const corr = mlmData(blocks.slice(0, 8), tokens, 1);
    const evalSet = mlmData(blocks.slice(8), tokens, 1234);
    const spec = bertFamilyArchitecture().buildSpec(loaded[0].config, { head: 'mlm', params: loaded[0].params });
    study = await barrierStudy(spec, models[0], models[1], corr.batches, evalSet.masked, VARIANTS);
    const v = study.variants;
    summary = `L_A=${study.lossA.toFixed(3)} L_B=${study.lossB.toFixed(3)}; midpoint barrier: vanilla ${study.vanillaBarrier.toFixed(3)}, FFN+head-perm ${v.paper.barrier.toFixed(3)}, +residual first ${v.residualFirst.barrier.toFixed(3)}`;
  }, 120_000);

  it('alignment raises the mean matched correlation of every site (Fig. 4)', () => {
    for (const variant of Object.values(study.variants)) {
      for (const s of variant.diagnostics.sites) expect(s.meanDiagAfter, `${s.site}: ${summary}`).toBeGreaterThan(s.meanDiagBefore);
    }
  });

  it('each alignment step lowers the barrier, and with the residual stream (first) at least a third of the vanilla barrier is gone', () => {
    console.info(`[headline] ${summary}`);
    expect(study.vanillaBarrier, summary).toBeGreaterThan(0);
    expect(study.variants.paper.barrier, summary).toBeLessThan(study.vanillaBarrier);
    expect(study.variants.residualFirst.barrier, summary).toBeLessThan(study.variants.paper.barrier);
    expect(study.variants.residualFirst.barrier, summary).toBeLessThan((2 / 3) * study.vanillaBarrier);
  });
});
