/**
 * An experiment's report: `<out>/<name>.md` (what was run, how to rerun it, tables, plots, findings),
 * `<out>/<name>.json` (the raw numbers and the same provenance) and `<out>/<name>/*.svg`. Files are
 * written beside their target and renamed into place, so an interrupted run never leaves a torn one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { markdownTable, toJsonSafe } from '@symfuse/eval';
import type { RunRecord } from './cache.js';
import { type MachineInfo, machineInfo, machineLine } from './machine.js';
import type { ResolvedOptions } from './options.js';
import type { Zoo, ZooModelInfo } from './zoo.js';

/** What the report header needs to know about the experiment. */
export interface ReportHeader {
  readonly name: string;
  readonly title: string;
  /** The paper and the figure/table reproduced. */
  readonly reference: string;
  readonly description: string;
}

/** Paths of the written report. */
export interface WrittenReport {
  readonly markdown: string;
  readonly json: string;
  readonly plots: readonly string[];
}

function writeAtomic(file: string, contents: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

/** Builds the Markdown body and the JSON data of one experiment run. */
export class Report {
  private readonly body: string[] = [];
  /** Findings, in the order they were added. */
  readonly findings: string[] = [];
  private readonly plots: { file: string; svg: string }[] = [];
  /** Raw numbers, written to `<name>.json` under `data`. */
  readonly data: Record<string, unknown> = {};
  readonly startedAt = new Date();

  constructor(
    readonly header: ReportHeader,
    readonly options: ResolvedOptions,
    readonly settings: object,
    readonly zoo: Zoo,
  ) {}

  /** A `##` section heading. */
  section(title: string): void {
    this.body.push(`## ${title}`, '');
  }

  /** A paragraph of Markdown. */
  text(markdown: string): void {
    this.body.push(markdown, '');
  }

  /** A Markdown table (cells are plain strings). */
  table(header: readonly string[], rows: readonly (readonly string[])[], caption?: string): void {
    if (caption) this.body.push(`*${caption}*`, '');
    this.body.push(markdownTable(header, rows), '');
  }

  /** An SVG plot saved as `<name>/<file>.svg` and shown inline. */
  plot(file: string, svg: string, alt: string): void {
    const rel = `${this.header.name}/${file}.svg`;
    this.plots.push({ file: rel, svg });
    this.body.push(`![${alt}](${rel})`, '');
  }

  /** A finding for the summary at the top (what came out, and how it compares with the paper). */
  finding(markdown: string): void {
    this.findings.push(markdown);
  }

  /** Writes the report files; returns their paths. */
  write(records: readonly RunRecord[]): WrittenReport {
    const finishedAt = new Date();
    const seconds = (finishedAt.getTime() - this.startedAt.getTime()) / 1000;
    const machine: MachineInfo = machineInfo();
    const models: ZooModelInfo[] = this.zoo.loaded();
    const computed = records.filter((r) => !r.cached);
    const md: string[] = [
      `# ${this.header.title}`,
      '',
      `*Reproduces:* ${this.header.reference}`,
      '',
      this.header.description,
      '',
    ];
    if (this.zoo.kind === 'random') md.push('> **These numbers come from tiny random stand-in models, not the trained fixtures: they test the plumbing and mean nothing.**', '');
    if (this.options.quick) md.push('> **Quick run** (`--quick`): tiny samples, for tests and smoke runs only.', '');
    if (this.findings.length) md.push('## Findings', '', ...this.findings.map((f) => `- ${f}`), '');
    md.push(...this.body);
    md.push(
      '## How this was run',
      '',
      `- Command: \`${this.options.command}\``,
      `- Seed: ${this.options.seed}`,
      `- Started ${this.startedAt.toISOString()}, finished ${finishedAt.toISOString()} (${seconds.toFixed(0)} s wall; ${computed.length} runs computed in ${computed.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s, ${records.length - computed.length} taken from the cache)`,
      `- Machine: ${machineLine(machine)}`,
      `- Models: ${this.zoo.description}`,
      '',
      'Settings (change any with `--set key=value`):',
      '',
      '```json',
      `{\n${Object.entries(this.settings).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}`,
      '```',
      '',
    );
    if (models.length) {
      md.push(
        markdownTable(
          ['model', 'head', 'source', 'training steps', 'training s', 'final train loss'],
          models.map((m) => [m.id, m.head, m.source, m.trainingSteps?.toString() ?? '–', m.trainingSeconds?.toString() ?? '–', m.finalTrainingLoss?.toFixed(3) ?? '–']),
        ),
        '',
      );
    }
    if (records.length) {
      md.push(
        '<details><summary>Every run (time, duration, cache)</summary>',
        '',
        markdownTable(['run', 'started', 's', 'cached'], records.map((r) => [r.label, r.startedAt, r.seconds.toFixed(1), r.cached ? 'yes' : 'no'])),
        '',
        '</details>',
        '',
      );
    }
    const base = path.join(this.options.outDir, this.header.name);
    for (const p of this.plots) writeAtomic(path.join(this.options.outDir, p.file), p.svg);
    writeAtomic(`${base}.md`, `${md.join('\n').trimEnd()}\n`);
    const json = {
      name: this.header.name,
      title: this.header.title,
      reference: this.header.reference,
      command: this.options.command,
      seed: this.options.seed,
      quick: this.options.quick,
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds,
      machine,
      models: { source: this.zoo.kind, description: this.zoo.description, loaded: models },
      settings: this.settings,
      findings: this.findings,
      data: this.data,
      runs: records,
    };
    writeAtomic(`${base}.json`, `${JSON.stringify(toJsonSafe(json, { maxArray: 1e7, maxDepth: 32 }))}\n`);
    return { markdown: `${base}.md`, json: `${base}.json`, plots: this.plots.map((p) => path.join(this.options.outDir, p.file)) };
  }
}
