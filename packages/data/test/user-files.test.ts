import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  corpusFromTexts,
  DataFileError,
  hashString,
  makeTask,
  parseJsonl,
  parseTextParagraphs,
  resolveDataSource,
  taskFromJsonl,
  TASK_SPLITS,
  type TaskExample,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'symfuse-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('parseJsonl', () => {
  it('reads text, label, domain and split, skipping blank lines', () => {
    const recs = parseJsonl('\uFEFF{"text":" hello\\n world ","label":"pos"}\n\n{"text":"x","label":"neg","domain":"d2","split":"test"}\n');
    expect(recs).toEqual([
      { text: 'hello world', label: 'pos', line: 1 },
      { text: 'x', label: 'neg', domain: 'd2', split: 'test', line: 3 },
    ]);
  });

  it('names the line of malformed input', () => {
    const bad: [string, RegExp][] = [
      ['{"text":"a"}\n{"text": oops}', /f\.jsonl:2: invalid JSON/],
      ['{"text":"a"}\n\n[1,2]', /f\.jsonl:3: expected a JSON object, got an array/],
      ['{"txt":"a"}', /f\.jsonl:1: "text" must be a non-empty string/],
      ['{"text":"   "}', /f\.jsonl:1: "text" must be a non-empty string/],
      ['{"text":"a","label":1.5}', /f\.jsonl:1: "label" must be/],
      ['{"text":"a","label":-1}', /f\.jsonl:1: "label" must be/],
      ['{"text":"a","label":true}', /f\.jsonl:1: "label" must be/],
      ['{"text":"a","split":"dev"}', /f\.jsonl:1: "split" must be one of train, validation, test/],
      ['{"text":"a","domain":3}', /f\.jsonl:1: "domain" must be/],
    ];
    for (const [content, re] of bad) {
      expect(() => parseJsonl(content, 'f.jsonl')).toThrow(re);
      expect(() => parseJsonl(content, 'f.jsonl')).toThrow(DataFileError);
    }
  });
});

describe('taskFromJsonl', () => {
  it('maps string labels to sorted names and integer labels to "0".."max"', () => {
    const s = taskFromJsonl('t', parseJsonl('{"text":"a","label":"pos"}\n{"text":"b","label":"neg"}'), 'dom');
    expect(s.labels).toEqual(['neg', 'pos']);
    expect(s.domains).toEqual(['dom']);
    const all = [...s.train, ...s.validation, ...s.test];
    expect(all.find((e) => e.text === 'a')?.label).toBe(1);
    const n = taskFromJsonl('t', parseJsonl('{"text":"a","label":2}\n{"text":"b","label":0}'), 'dom');
    expect(n.labels).toEqual(['0', '1', '2']);
  });

  it('rejects mixed label types and missing labels, naming the line', () => {
    expect(() => taskFromJsonl('t', parseJsonl('{"text":"a","label":"x"}\n{"text":"b","label":1}'), 'd')).toThrow(/:2: "label" is a number but line 1 has a string/);
    expect(() => taskFromJsonl('t', parseJsonl('{"text":"a","label":"x"}\n{"text":"b"}'), 'd')).toThrow(/:2: record has no "label"/);
  });

  it('honours preset splits and domains', () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2, domain: i < 20 ? 'a' : 'b', split: i === 0 ? 'test' : undefined }));
    const task = taskFromJsonl('t', parseJsonl(lines.join('\n')), 'd');
    expect(task.domains).toEqual(['a', 'b']);
    expect(task.test.some((e) => e.text === 't0')).toBe(true);
  });
});

describe('makeTask splits', () => {
  const examplesArb = fc
    .array(fc.record({ label: fc.integer({ min: 0, max: 2 }), domain: fc.constantFrom('x', 'y') }), { maxLength: 300, size: 'max' })
    .map((rs) => rs.map((r, i): TaskExample => ({ text: `example ${i}`, ...r })));

  it('are a deterministic, disjoint partition with stratified sizes', () => {
    fc.assert(
      fc.property(examplesArb, fc.integer(), (examples, seed) => {
        const a = makeTask('t', ['p', 'q', 'r'], ['x', 'y'], examples, { seed });
        const b = makeTask('t', ['p', 'q', 'r'], ['x', 'y'], examples, { seed });
        expect(a).toEqual(b);
        const texts = TASK_SPLITS.flatMap((s) => a[s].map((e) => e.text));
        expect(new Set(texts).size).toBe(examples.length);
        expect(texts.length).toBe(examples.length);
        for (const d of ['x', 'y']) {
          for (let l = 0; l < 3; l++) {
            const n = examples.filter((e) => e.domain === d && e.label === l).length;
            const c = a.counts[d];
            expect(c.validation[l]).toBe(Math.round(n * 0.1));
            expect(c.test[l]).toBe(Math.min(n - Math.round(n * 0.1), Math.round(n * 0.1)));
            expect(c.train[l] + c.validation[l] + c.test[l]).toBe(n);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('change with the seed, and down-sample majority classes to maxImbalance', () => {
    const ex: TaskExample[] = Array.from({ length: 400 }, (_, i) => ({ text: `e${i}`, label: i < 100 ? 0 : 1, domain: 'x' }));
    const a = makeTask('t', ['a', 'b'], ['x'], ex, { seed: 1 });
    const b = makeTask('t', ['a', 'b'], ['x'], ex, { seed: 2 });
    expect(a.test.map((e) => e.text)).not.toEqual(b.test.map((e) => e.text));
    const bal = makeTask('t', ['a', 'b'], ['x'], ex, { seed: 1, maxImbalance: 1.5 });
    const c = bal.counts.x;
    expect(c.train[0] + c.validation[0] + c.test[0]).toBe(100);
    expect(c.train[1] + c.validation[1] + c.test[1]).toBe(150);
  });

  it('drop repeated texts within a domain, keeping the first', () => {
    const ex: TaskExample[] = [
      { text: 'same', label: 0, domain: 'x' },
      { text: 'same', label: 1, domain: 'x' },
      { text: 'same', label: 1, domain: 'y' },
      { text: 'other', label: 1, domain: 'x' },
    ];
    const t = makeTask('t', ['a', 'b'], ['x', 'y'], ex, { fractions: [1, 0, 0] });
    expect(t.duplicatesDropped).toBe(1);
    expect(t.counts.x.train).toEqual([1, 1]);
    expect(t.counts.y.train).toEqual([0, 1]);
    expect(makeTask('t', ['a', 'b'], ['x', 'y'], ex, { dedupe: false }).duplicatesDropped).toBe(0);
  });

  it('reject unknown domains, bad labels and bad fractions', () => {
    const e = [{ text: 'a', label: 0, domain: 'x' }];
    expect(() => makeTask('t', ['a'], ['y'], e)).toThrow(/domain "x", expected one of: y/);
    expect(() => makeTask('t', ['a'], ['x'], [{ ...e[0], label: 1 }])).toThrow(/label 1/);
    expect(() => makeTask('t', ['a'], ['x'], e, { fractions: [0.5, 0.2, 0.2] })).toThrow(/fractions/);
    expect(() => makeTask('t', ['a'], ['x'], e, { maxImbalance: 0.5 })).toThrow(/maxImbalance/);
  });
});

describe('user text corpora', () => {
  it('splits paragraphs and holds out by content hash', () => {
    const paras = Array.from({ length: 200 }, (_, i) => `paragraph number ${i} of the user's text`);
    expect(parseTextParagraphs(paras.join('\n\n'))).toEqual(paras);
    const c = corpusFromTexts('u', paras);
    const held = c.heldout();
    expect(held).toEqual(paras.filter((p) => hashString(p) % 10 === 0));
    expect(held.length + c.train().length).toBe(200);
    expect(held.length).toBeGreaterThan(5);
    // Stable under reordering.
    expect(new Set(corpusFromTexts('u', [...paras].reverse()).heldout())).toEqual(new Set(held));
  });
});

describe('resolveDataSource on files and names', () => {
  it('loads .txt as a corpus and .jsonl as a task or a corpus', () => {
    const txt = resolveDataSource(file('a.txt', 'one two\nthree\n\nfour five\n'));
    expect(txt.kind).toBe('corpus');
    const c = txt.kind === 'corpus' ? txt.load() : undefined;
    expect([...c!.train(), ...c!.heldout()].sort()).toEqual(['four five', 'one two three']);

    const jl = resolveDataSource(file('b.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n'));
    expect(jl.kind).toBe('task');
    if (jl.kind === 'task') expect(jl.load().domains).toEqual(['b']);

    const unl = resolveDataSource(file('c.jsonl', '{"text":"a"}\n'));
    expect(unl.kind).toBe('corpus');
  });

  it('reports malformed JSONL with the line number, and missing or empty files', () => {
    const p = file('bad.jsonl', '{"text":"ok"}\n{"text":"ok"}\n{bad}\n');
    expect(() => resolveDataSource(p)).toThrow(/bad\.jsonl:3: invalid JSON/);
    expect(() => resolveDataSource(join(dir, 'missing.jsonl'))).toThrow(/file not found/);
    expect(() => resolveDataSource(file('empty.txt', '\n\n'))).toThrow(/no paragraphs/);
    expect(() => resolveDataSource(file('empty.jsonl', ''))).toThrow(/no records/);
  });

  it('lists the known sources for an unknown name and rejects other file types', () => {
    expect(() => resolveDataSource('wikipedia')).toThrow(/unknown data source "wikipedia".*sotu, moby-dick, sotu\+moby-dick, party, party:1853-1900/);
    expect(() => resolveDataSource('data/x.csv')).toThrow(/unsupported file type/);
    expect(() => resolveDataSource('party:18-19')).toThrow(/bad era "18-19"/);
    expect(() => resolveDataSource('spam:ham-3+spam-1')).toThrow(/unknown collection "ham-3".*easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2/);
    expect(() => resolveDataSource('party:1853-1900,')).toThrow(/empty domain/);
  });

  it('resolves packaged names lazily', () => {
    expect(resolveDataSource('sotu').kind).toBe('corpus');
    expect(resolveDataSource('sotu+moby-dick').kind).toBe('corpus');
    expect(resolveDataSource('party').kind).toBe('task');
    expect(resolveDataSource('party:1901-1945,1981-').kind).toBe('task');
    expect(resolveDataSource('spam:easy-ham-1+spam-1').kind).toBe('task');
  });
});
