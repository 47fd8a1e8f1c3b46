import { loadModelDir } from '@symfuse/models';
import { loadCorpus, packBlocks } from '@symfuse/data';
import { mlmEvalMasks, pseudoPerplexity } from '../../eval/src/pseudo-perplexity.js';
let t = performance.now();
const m = loadModelDir('/tmp/fx/fixtures/mlm-seed1');
console.log('load', performance.now() - t); t = performance.now();
const tok = m.tokenizer!;
const texts = loadCorpus('sotu').heldout();
console.log('corpus', performance.now() - t, texts.length); t = performance.now();
const docs: number[][] = []; let n = 0;
for (const x of texts) { const ids = tok.encode(x, { addSpecialTokens: false }).ids; docs.push(ids); n += ids.length; if (n > 40 * 130) break; }
const s = tok.specialIds;
const blocks = packBlocks(docs, 128, { cls: s.cls!, sep: s.sep! }).slice(0, 32);
console.log('tok', performance.now() - t, blocks.length); t = performance.now();
const masks = mlmEvalMasks(blocks, 1234, { maskId: s.mask!, specialIds: [s.pad!, s.unk!, s.cls!, s.sep!, s.mask!] });
const r = pseudoPerplexity({ config: m.config, params: m.params, head: 'mlm' }, masks);
console.log('pppl 32 blocks', performance.now() - t, r);
