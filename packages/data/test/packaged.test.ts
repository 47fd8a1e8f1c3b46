/**
 * The packaged corpora and tasks, read from the real @stdlib dataset packages. The exact sizes below are
 * the documented ones (README / report); a change means the segmentation, the split rules or the data
 * changed, and the documentation must follow.
 */
import { describe, expect, it } from 'vitest';
import {
  countWords,
  loadCorpus,
  loadPartyTask,
  loadSpamTask,
  PARTY_ERAS,
  PARTY_MIN_WORDS,
  resolveDataSource,
  SPAM_DEFAULT_DOMAINS,
  TASK_SPLITS,
  type LabelledTask,
} from '../src/index.js';

describe('MLM corpora', () => {
  it('sotu: 233 addresses 1790–2021, every 10th held out', () => {
    const c = loadCorpus('sotu');
    expect(c.documents.length).toBe(233);
    expect(c.documents[0].meta?.year).toBe(1790);
    expect(c.documents[232].meta?.year).toBe(2021);
    const held = c.documents.filter((d) => d.split === 'heldout');
    expect(held.length).toBe(23);
    expect(held.map((d) => d.id).slice(0, 2)).toEqual(['sotu/1799-john-adams', 'sotu/1809-james-madison']);
    expect(c.stats()).toEqual({
      train: { documents: 210, units: 19903, words: 1619562, characters: 9688111 },
      heldout: { documents: 23, units: 2164, words: 175322, characters: 1049711 },
    });
  });

  it('moby-dick: 138 chapters (contents dropped), every 10th held out', () => {
    const c = loadCorpus('moby-dick');
    expect(c.documents.length).toBe(138);
    expect(c.documents.some((d) => d.id === 'moby-dick/contents')).toBe(false);
    expect(c.documents.filter((d) => d.split === 'heldout').map((d) => d.id)).toEqual(
      [8, 18, 28, 38, 48, 58, 68, 78, 88, 98, 108, 118, 128].map((n) => `moby-dick/chapter-${n}`),
    );
    expect(c.train()[0].startsWith('ETYMOLOGY.')).toBe(true);
    expect(c.stats().train.units).toBe(2853);
    expect(c.stats().heldout.units).toBe(252);
  });

  it('train and held-out text are disjoint and stable; the union corpus is the concatenation', () => {
    for (const name of ['sotu', 'moby-dick'] as const) {
      const c = loadCorpus(name);
      const train = new Set(c.train());
      expect(c.heldout().filter((u) => train.has(u)).length).toBe(0);
      expect(loadCorpus(name)).toBe(c);
    }
    const both = loadCorpus('sotu+moby-dick');
    expect(both.train().length).toBe(loadCorpus('sotu').train().length + loadCorpus('moby-dick').train().length);
    expect(both.heldout().length).toBe(loadCorpus('sotu').heldout().length + loadCorpus('moby-dick').heldout().length);
    const src = resolveDataSource('sotu+moby-dick');
    expect(src.kind === 'corpus' && src.load()).toBe(both);
  });
});

function checkTask(task: LabelledTask, trainingDomains: readonly string[]): void {
  // Disjoint splits: no text in two splits.
  const seen = new Map<string, string>();
  for (const s of TASK_SPLITS) {
    for (const e of task[s]) {
      const prev = seen.get(`${e.domain}\u0000${e.text}`);
      expect(prev === undefined || prev === s).toBe(true);
      seen.set(`${e.domain}\u0000${e.text}`, s);
    }
  }
  for (const d of trainingDomains) {
    const c = task.counts[d];
    for (const s of TASK_SPLITS) {
      // Both labels everywhere, and the majority class at most 60 % (maxImbalance 1.5).
      expect(c[s].every((n) => n > 0)).toBe(true);
      expect(Math.max(...c[s]) / (c[s][0] + c[s][1])).toBeLessThanOrEqual(0.605);
    }
  }
}

describe('party task', () => {
  const task = loadPartyTask();

  it('has the documented class counts per era and split', () => {
    expect(task.labels).toEqual(['Democratic', 'Republican']);
    expect(task.domains).toEqual([...PARTY_ERAS]);
    expect(task.duplicatesDropped).toBe(8);
    expect(task.counts).toEqual({
      '1853-1900': { train: [1970, 2548], validation: [246, 319], test: [246, 319] },
      '1901-1945': { train: [817, 1225], validation: [102, 153], test: [102, 153] },
      '1946-1980': { train: [1282, 915], validation: [160, 115], test: [160, 115] },
      '1981-2021': { train: [1620, 1187], validation: [202, 149], test: [202, 149] },
    });
  });

  it('has disjoint, balanced-enough splits with both parties in every era', () => {
    checkTask(task, PARTY_ERAS);
    expect(task.train.every((e) => countWords(e.text) >= PARTY_MIN_WORDS)).toBe(true);
  });

  it('is deterministic and only Democratic / Republican addresses of the era are used', () => {
    const again = loadPartyTask(['1853-1900']);
    expect(loadPartyTask(['1853-1900'])).toEqual(again);
    // A domain's split membership does not depend on which other domains are loaded.
    const texts = (es: readonly { text: string; domain: string }[]): string[] =>
      es.filter((e) => e.domain === '1853-1900').map((e) => e.text).sort();
    for (const s of TASK_SPLITS) expect(texts(again[s])).toEqual(texts(task[s]));
    // 1865–1868 (Andrew Johnson, National Union) is excluded: his first address opens with this sentence.
    const johnson = loadCorpus('sotu').documents.find((d) => d.id === 'sotu/1865-andrew-johnson')!;
    const all = new Set([...again.train, ...again.validation, ...again.test].map((e) => e.text));
    expect(johnson.units.some((u) => all.has(u))).toBe(false);
    // Full counts without down-sampling (the 1901–1945 Republican majority is 3815 distinct paragraphs).
    const full = loadPartyTask(['1901-1945'], { maxImbalance: Infinity }).counts['1901-1945'];
    expect(full.train[1] + full.validation[1] + full.test[1]).toBe(3815);
    expect(() => loadPartyTask(['1790-1800'])).toThrow(/both parties are needed/);
  });
});

describe('spam task', () => {
  const task = loadSpamTask([...SPAM_DEFAULT_DOMAINS, 'hard-ham-1']);

  it('has the documented class counts per domain and split', () => {
    expect(task.labels).toEqual(['ham', 'spam']);
    expect(task.counts).toEqual({
      'easy-ham-1+spam-1': { train: [571, 381], validation: [72, 48], test: [72, 48] },
      'easy-ham-2+spam-2': { train: [1110, 1043], validation: [139, 130], test: [139, 130] },
      'hard-ham-1': { train: [198, 0], validation: [25, 0], test: [25, 0] },
    });
  });

  it('has disjoint splits, both labels in the training domains, cleaned and truncated texts', () => {
    checkTask(task, SPAM_DEFAULT_DOMAINS);
    const all = TASK_SPLITS.flatMap((s) => task[s]);
    expect(new Set(all.map((e) => e.text)).size).toBe(all.length); // de-duplicated across domains
    expect(all.every((e) => e.text.length > 0 && e.text.length <= 1500)).toBe(true);
    expect(all.filter((e) => /^Received: /m.test(e.text)).length).toBe(0);
  });

  it('resolves spam:easy-ham-1+spam-1 to the same examples as the full task', () => {
    const src = resolveDataSource('spam:easy-ham-1+spam-1');
    expect(src.kind).toBe('task');
    const one = src.kind === 'task' ? src.load() : undefined;
    expect(one!.domains).toEqual(['easy-ham-1+spam-1']);
    const key = (e: { text: string; label: number }): string => `${e.label}:${e.text}`;
    expect(one!.test.map(key).sort()).toEqual(task.test.filter((e) => e.domain === 'easy-ham-1+spam-1').map(key).sort());
  });
});
