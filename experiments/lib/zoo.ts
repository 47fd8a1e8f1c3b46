/**
 * The models an experiment uses, by name: the trained fixtures (`fixtures/mlm-seed1..5`, the party-era
 * and spam classifiers) or, when they do not exist (or `--models random`), tiny random stand-ins
 * with the same names and relations (a classifier shares its base seed's encoder, plus a small
 * seeded perturbation), so every experiment runs end to end without the fixtures, in seconds.
 * Random models give meaningless numbers; reports say which source was used.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus } from '@symfuse/data';
import { createTokenizer, type HeadKind, initParams, loadModelDir, type ModelConfig, parseModelConfig, type Tokenizer, trainWordPiece } from '@symfuse/models';
import type { ModelWeights } from '@symfuse/symmetry';
import { fromHost, Rng, type Tensor } from '@symfuse/tensor';
import type { ModelSource } from './options.js';

/** A model of the zoo. */
export interface ZooModel extends ModelWeights<ModelConfig> {
  readonly id: string;
  readonly head: HeadKind;
  /** Content hash of the weights (fixtures) or of the recipe (random): part of every cache key. */
  readonly fingerprint: string;
}

/** What the report says about one model. */
export interface ZooModelInfo {
  readonly id: string;
  readonly source: string;
  readonly head: string;
  readonly trainingSteps?: number;
  readonly trainingSeconds?: number;
  readonly finalTrainingLoss?: number;
}

/** A source of named models. */
export interface Zoo {
  readonly kind: 'fixtures' | 'random';
  readonly description: string;
  readonly tokenizer: Tokenizer;
  /** The MLM model of `seed` (1..5). */
  mlm(seed: number): ZooModel;
  /** A classifier by fixture folder name (`party-1853-1900`, `spam-seed3`, …). */
  classifier(name: string): ZooModel;
  /** Whether a model of that name exists. */
  has(name: string): boolean;
  /** Every model loaded so far, for the report. */
  loaded(): ZooModelInfo[];
}

/** Fixture classifier names → the MLM seed they were fine-tuned from. */
export const CLASSIFIER_BASE: Readonly<Record<string, number>> = {
  'party-1853-1900': 1,
  'party-1901-1945': 1,
  'party-1946-1980': 1,
  'party-1981-2021': 1,
  'spam-easy-ham-1+spam-1': 1,
  'spam-easy-ham-2+spam-2': 1,
  'spam-seed1': 1,
  'spam-seed2': 2,
  'spam-seed3': 3,
  'spam-seed4': 4,
  'spam-seed5': 5,
};

/** The task and training domain of a fixture classifier. */
export function classifierDomain(name: string): { readonly task: 'party' | 'spam'; readonly domain: string } {
  if (name.startsWith('party-')) return { task: 'party', domain: name.slice('party-'.length) };
  if (/^spam-seed\d+$/.test(name)) return { task: 'spam', domain: 'easy-ham-2+spam-2' };
  if (name.startsWith('spam-')) return { task: 'spam', domain: name.slice('spam-'.length) };
  throw new Error(`'${name}' is not a fixture classifier; known: ${Object.keys(CLASSIFIER_BASE).join(', ')}`);
}

const zoos = new Map<string, Zoo>();

/**
 * Picks the model source: fixtures when asked or when `auto` finds them. One zoo per source and
 * directory per process, so experiments run together (`run-all.ts`) share the loaded models — and
 * with them the statistics collected on them.
 */
export function openZoo(source: ModelSource, fixturesDir: string, log: (line: string) => void): Zoo {
  const present = fs.existsSync(path.join(fixturesDir, 'mlm-seed1', 'config.json'));
  if (source === 'fixtures' && !present) throw new Error(`--models fixtures: ${fixturesDir}/mlm-seed1 does not exist (train the fixtures first, or use --models random)`);
  const fixtures = source === 'fixtures' || (source === 'auto' && present);
  if (!fixtures) log(`models: tiny random stand-ins (${present ? 'as asked' : `no fixtures in ${fixturesDir}`}); the numbers mean nothing`);
  const key = `${fixtures ? 'fixtures' : 'random'}:${path.resolve(fixturesDir)}`;
  let zoo = zoos.get(key);
  if (!zoo) {
    zoo = fixtures ? fixtureZoo(fixturesDir) : randomZoo(fixturesDir);
    zoos.set(key, zoo);
  }
  return zoo;
}

function fileHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}

function trainingInfo(dir: string): Pick<ZooModelInfo, 'trainingSteps' | 'trainingSeconds' | 'finalTrainingLoss'> {
  const file = path.join(dir, 'training_history.json');
  if (!fs.existsSync(file)) return {};
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as { steps?: number; seconds?: number; history?: { loss: number }[] };
    const tail = (h.history ?? []).slice(-4);
    return {
      ...(h.steps !== undefined ? { trainingSteps: h.steps } : {}),
      ...(h.seconds !== undefined ? { trainingSeconds: Math.round(h.seconds) } : {}),
      ...(tail.length ? { finalTrainingLoss: tail.reduce((s, x) => s + x.loss, 0) / tail.length } : {}),
    };
  } catch {
    return {};
  }
}

/** The trained fixtures of `dir`. */
export function fixtureZoo(dir: string): Zoo {
  const cache = new Map<string, ZooModel>();
  const infos = new Map<string, ZooModelInfo>();
  const load = (name: string): ZooModel => {
    const hit = cache.get(name);
    if (hit) return hit;
    const d = path.join(dir, name);
    if (!fs.existsSync(path.join(d, 'config.json'))) throw new Error(`fixture '${name}' is missing (${d}); known: ${fs.readdirSync(dir).join(', ')}`);
    const m = loadModelDir(d);
    const weights = fs.readdirSync(d).filter((f) => f.endsWith('.safetensors') && !f.startsWith('training_state')).sort();
    const fingerprint = weights.map((f) => fileHash(path.join(d, f))).join('+');
    const model: ZooModel = { config: m.config, params: m.params, head: m.head, id: name, fingerprint };
    cache.set(name, model);
    infos.set(name, { id: name, source: `${path.basename(dir)}/${name}`, head: m.head, ...trainingInfo(d) });
    return model;
  };
  const tokDir = path.join(dir, 'mlm-seed1');
  const tokenizer = loadModelDir(tokDir).tokenizer;
  if (!tokenizer) throw new Error(`${tokDir} has no tokenizer.json`);
  return {
    kind: 'fixtures',
    description: `trained fixtures (${path.basename(dir)}/)`,
    tokenizer,
    mlm: (seed) => load(`mlm-seed${seed}`),
    classifier: (name) => load(name),
    has: (name) => fs.existsSync(path.join(dir, name, 'config.json')),
    loaded: () => [...infos.values()],
  };
}

/** Hugging Face config of the random stand-ins: the fixtures' shape, scaled down. */
function randomConfig(vocab: number, head: 'mlm' | 'classifier'): ModelConfig {
  return parseModelConfig(
    {
      model_type: 'bert',
      architectures: [head === 'mlm' ? 'BertForMaskedLM' : 'BertForSequenceClassification'],
      vocab_size: vocab,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
      hidden_act: 'gelu',
      max_position_embeddings: 64,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
      ...(head === 'classifier' ? { id2label: { 0: 'a', 1: 'b' }, label2id: { a: 0, b: 1 } } : {}),
    },
    'random stand-in',
  );
}

let randomTokenizer: Tokenizer | undefined;

/** The fixture tokenizer when present (cheap to load), else a 512-token WordPiece learnt on a slice of the corpus. */
function standInTokenizer(fixturesDir: string): Tokenizer {
  const tokFile = path.join(fixturesDir, 'mlm-seed1', 'tokenizer.json');
  if (fs.existsSync(tokFile)) {
    const cfgFile = path.join(fixturesDir, 'mlm-seed1', 'tokenizer_config.json');
    return createTokenizer(JSON.parse(fs.readFileSync(tokFile, 'utf8')), fs.existsSync(cfgFile) ? JSON.parse(fs.readFileSync(cfgFile, 'utf8')) : {});
  }
  randomTokenizer ??= (() => {
    const trained = trainWordPiece(loadCorpus('sotu+moby-dick').train().slice(0, 400), { vocabSize: 512, lowercase: true });
    return createTokenizer(trained.tokenizerJson, { do_lower_case: true, model_max_length: 64, tokenizer_class: 'BertTokenizer' });
  })();
  return randomTokenizer;
}

/** Adds `scale · rms(t) · N(0, 1)` to every parameter (a stand-in for fine-tuning). */
function perturb(params: ReadonlyMap<string, Tensor>, seed: number, scale: number): Map<string, Tensor> {
  const rng = new Rng(seed);
  const out = new Map<string, Tensor>();
  for (const [name, t] of params) {
    const x = t.dataSync() as Float32Array;
    let ss = 0;
    for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
    const s = scale * Math.max(Math.sqrt(ss / x.length), 0.01);
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i] + s * rng.normal();
    out.set(name, fromHost(y, t.shape));
  }
  return out;
}

/** Tiny random stand-ins (hidden 32, 2 layers, 4 heads). */
export function randomZoo(fixturesDir: string): Zoo {
  const tokenizer = standInTokenizer(fixturesDir);
  const cache = new Map<string, ZooModel>();
  const make = (name: string): ZooModel => {
    const hit = cache.get(name);
    if (hit) return hit;
    const mlm = /^mlm-seed(\d+)$/.exec(name);
    const base = mlm ? Number(mlm[1]) : CLASSIFIER_BASE[name];
    if (base === undefined) throw new Error(`random zoo: unknown model '${name}'; known: mlm-seed1..5, ${Object.keys(CLASSIFIER_BASE).join(', ')}`);
    const head = mlm ? 'mlm' : 'classifier';
    const config = randomConfig(tokenizer.vocabSize, head);
    // initParams draws each parameter from a fork labelled by its name: the encoder of a classifier
    // equals its base seed's, as a fine-tuned model starts from its pre-trained one.
    let params: Map<string, Tensor> = initParams(config, { seed: base, std: 0.1 }) as Map<string, Tensor>;
    if (!mlm) params = perturb(params, 7919 * base + [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0), 0.05);
    const model: ZooModel = { config, params, head, id: name, fingerprint: `random-v1:${name}:${tokenizer.vocabSize}` };
    cache.set(name, model);
    return model;
  };
  return {
    kind: 'random',
    description: 'tiny random stand-ins (hidden 32, 2 layers, 4 heads; NOT trained: numbers are meaningless)',
    tokenizer,
    mlm: (seed) => make(`mlm-seed${seed}`),
    classifier: make,
    has: (name) => /^mlm-seed[1-5]$/.test(name) || name in CLASSIFIER_BASE,
    loaded: () => [...cache.values()].map((m) => ({ id: m.id, source: 'random', head: m.head })),
  };
}
