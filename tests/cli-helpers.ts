/**
 * Helpers of the CLI end-to-end tests: run the real `symfuse` binary as a process, and build tiny
 * model directories (a trained-from-scratch WordPiece tokenizer, a random 2-layer BERT MLM) and a
 * text corpus, so the error paths and a full merge run in seconds without the fixtures.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenizer, initParams, parseModelConfig, saveModelDir, trainWordPiece, writeSafetensors } from '@symfuse/models';

export const REPO = fileURLToPath(new URL('../', import.meta.url));
export const BIN = path.join(REPO, 'packages/cli/bin/symfuse.mjs');
export const FIXTURES = process.env.SYMFUSE_FIXTURES ?? path.join(REPO, 'fixtures');

/** Result of a CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `symfuse args…` to completion. Asynchronous (never `spawnSync`): a blocked test worker cannot
 * answer vitest's RPC, which vitest reports as an error.
 */
export function symfuse(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO, env: { ...process.env, CI: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `symfuse args…` and returns the child (for signal tests). */
export function startSymfuse(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO, env: { ...process.env, CI: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'symfuse-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const WORDS = 'the nation people congress state union government year law war peace trade work law power public great new time country right world free duty house vote land army navy tax bank school road court'.split(' ');

/** Deterministic pseudo-text: `count` paragraphs of ~40 words (a tiny LCG picks the words). */
export function syntheticText(count: number, seed = 1): string[] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: count }, () => Array.from({ length: 40 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ') + '.');
}

/** Writes a `.txt` corpus (paragraphs separated by blank lines) and returns its path. */
export function writeCorpus(dir: string, paragraphs = 300): string {
  const file = path.join(dir, 'corpus.txt');
  fs.writeFileSync(file, syntheticText(paragraphs).join('\n\n'));
  return file;
}

/**
 * A tiny BERT MLM model directory (hidden 16, 2 heads, 2 layers, FFN 32, 128 positions) with a
 * WordPiece tokenizer trained on the synthetic text; `nan` puts a NaN into one weight.
 */
export function tinyModel(dir: string, seed: number, options: { nan?: boolean; classifier?: readonly string[] } = {}): string {
  const trained = trainWordPiece(syntheticText(200), { vocabSize: 80, lowercase: true });
  const tok = createTokenizer(trained.tokenizerJson, { do_lower_case: true, model_max_length: 128, tokenizer_class: 'BertTokenizer' });
  const config = parseModelConfig(
    {
      model_type: 'bert',
      architectures: [options.classifier ? 'BertForSequenceClassification' : 'BertForMaskedLM'],
      ...(options.classifier ? { id2label: Object.fromEntries(options.classifier.map((l, i) => [String(i), l])), label2id: Object.fromEntries(options.classifier.map((l, i) => [l, i])) } : {}),
      vocab_size: tok.vocabSize,
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 32,
      hidden_act: 'gelu',
      max_position_embeddings: 128,
      type_vocab_size: 2,
      pad_token_id: 0,
    },
    'tiny test model',
  );
  const params = initParams(config, { seed, std: 0.2 });
  saveModelDir(dir, { config, params, tokenizer: tok }, { force: true });
  if (options.nan) {
    // saveModelDir refuses non-finite weights, so write the bad checkpoint directly.
    const tensors = new Map([...params].map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) }]));
    tensors.get('bert.encoder.layer.1.intermediate.dense.weight')!.data[7] = Number.NaN;
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { metadata: { format: 'pt' } });
  }
  return dir;
}

/**
 * A labelled JSONL task with two domains (`north`, `south`) and labels `peace` / `war`: the label is
 * which of the two words occurs more often, so a classifier can learn it.
 */
export function writeTask(dir: string, count = 240): string {
  const file = path.join(dir, 'task.jsonl');
  const lines = syntheticText(count, 5).map((t, i) => {
    const label = (t.match(/\bpeace\b/g)?.length ?? 0) >= (t.match(/\bwar\b/g)?.length ?? 0) ? 'peace' : 'war';
    return JSON.stringify({ text: t, label, domain: i % 2 ? 'north' : 'south' });
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Paths under `dir` that look like leftovers of an interrupted run. */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.includes('symfuse-tmp') || f.includes('.tmp-'));
}
