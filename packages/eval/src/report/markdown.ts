/** `report.md`: the report as readable Markdown tables. */
import type { EvalScore } from '../evaluator.js';
import type { ReportCurve, RunReport } from './types.js';

/** A number with 4 significant digits (integers as they are). */
export function num(v: number | undefined): string {
  if (v === undefined) return '–';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

function scoreCells(s: EvalScore | undefined, kind: 'mlm' | 'classification'): string[] {
  if (!s) return kind === 'mlm' ? ['–', '–', '–'] : ['–', '–', '–', '–'];
  return kind === 'mlm' ? [num(s.loss), num(s.pppl), num(s.count)] : [num(s.loss), num(s.accuracy), num(s.macroF1), num(s.count)];
}

function scoreHeader(kind: 'mlm' | 'classification'): string[] {
  return kind === 'mlm' ? ['loss (NLL)', 'pseudo-perplexity', 'masked tokens'] : ['loss (CE)', 'accuracy', 'macro-F1', 'examples'];
}

/** Renders the whole report. */
export function renderMarkdown(r: RunReport): string {
  const out: string[] = [`# symfuse ${r.command} report`, '', `${r.tool.name} ${r.tool.version} · ${r.createdAt}${r.backend ? ` · backend ${r.backend}` : ''}`, ''];
  out.push('## Models', '', table(['role', 'path', 'architecture', 'head', 'parameters', 'statistics'], r.models.map((m) => [m.role, m.path, m.architecture ?? '–', m.head ?? '–', num(m.params), m.stats?.join(', ') || (r.statsData && m.role !== 'merged' ? `collected on ${r.statsData}` : '–')])), '');
  if (r.alignment?.length) {
    out.push('## Alignment', '', table(['model', 'step', 'aligner', 'spaces', 'function-preserving', 'time'], r.alignment.map((s) => [String(s.model + 1), String(s.step), s.aligner, String(s.spaces), s.preservesFunction ? 'yes' : 'NO', ms(s.ms)])), '');
    const sites = r.alignment.flatMap((s) => s.sites.map((x) => ({ ...x, model: s.model, aligner: s.aligner })));
    if (sites.length) {
      out.push('Mean correlation of features with the same index, anchor × model (Verma & Elbayad Fig. 4):', '');
      out.push(table(['model', 'aligner', 'site', 'features', 'before', 'after', 'Δ'], sites.map((x) => [String(x.model + 1), x.aligner, x.site + (x.exact ? '' : ' (not a symmetry)'), String(x.features), num(x.meanBefore), num(x.meanAfter), num(x.meanAfter - x.meanBefore)])), '');
    }
  }
  if (r.merge) {
    out.push('## Merge', '', `Method **${r.merge.method}** with parameters \`${JSON.stringify(r.merge.params)}\` (alignment and merge: ${ms(r.merge.ms)}).`, '');
  }
  const e = r.evaluation;
  if (e) {
    out.push('## Evaluation', '', e.description, '');
    const rows: string[][] = [];
    if (e.anchor) rows.push(['anchor', ...scoreCells(e.anchor, e.kind)]);
    e.models?.forEach((s, k) => rows.push([`model ${k + 1}`, ...scoreCells(s, e.kind)]));
    if (e.merged) rows.push(['merged', ...scoreCells(e.merged, e.kind)]);
    if (rows.length) out.push(table(['model', ...scoreHeader(e.kind)], rows), '');
    const curves = Object.entries(e.curves ?? {});
    if (curves.length) {
      out.push('### Loss barriers', '', 'θ(λ) = λ·θ_A + (1−λ)·θ_B; barrier = max_λ L(θ(λ)) − ½(L_A + L_B) (Eq. 10); linear = max_λ [L(θ(λ)) − (λ L_A + (1−λ) L_B)].', '');
      out.push(table(['curve', 'L_A', 'L_B', 'max L', 'barrier', 'at λ', 'linear barrier', 'at λ', 'time'], curves.map(([name, c]) => [name, num(c.lossA), num(c.lossB), num(Math.max(...c.losses)), num(c.barrier), num(c.barrierLambda), num(c.barrierLinear), num(c.barrierLinearLambda), ms(c.ms)])), '');
      out.push(curveTable(curves, e.kind), '');
    }
  }
  if (r.outOfDomain?.length) {
    const roles = [...new Set(r.outOfDomain.flatMap((d) => Object.keys(d.scores)))];
    out.push('## Out-of-domain evaluation', '', 'Loss / accuracy / macro-F1 per held-out domain.', '');
    out.push(table(['domain', ...roles], r.outOfDomain.map((d) => [d.domain, ...roles.map((k) => { const s = d.scores[k]; return s ? `${num(s.loss)} / ${num(s.accuracy)} / ${num(s.macroF1)}` : '–'; })])), '');
  }
  if (r.distances) {
    const d = r.distances;
    out.push('## Parameter distances', '', '‖θ_A − θ_B‖₂ (relative to ‖θ_A‖₂), before and after alignment.', '');
    const groups = d.vanilla.perLayer.map((g) => g.group);
    const aligned = new Map(d.aligned?.perLayer.map((g) => [g.group, g]));
    const rowOf = (g: string, v: { l2: number; relative: number }, a?: { l2: number; relative: number }) => [g, `${num(v.l2)} (${num(v.relative)})`, a ? `${num(a.l2)} (${num(a.relative)})` : '–'];
    out.push(table(['group', 'vanilla', 'aligned'], [...groups.map((g) => rowOf(g, d.vanilla.perLayer.find((x) => x.group === g)!, aligned.get(g))), rowOf('all', d.vanilla.total, d.aligned?.total)]), '');
  }
  const timings = Object.entries(r.timings);
  if (timings.length) out.push('## Timings', '', table(['phase', 'time'], timings.map(([k, v]) => [k, ms(v)])), '');
  if (r.warnings.length) out.push('## Warnings', '', ...r.warnings.map((w) => `- ${w}`), '');
  if (r.files.length) out.push('## Files', '', ...r.files.map((f) => `- \`${f}\``), '');
  return `${out.join('\n').trimEnd()}\n`;
}

function curveTable(curves: [string, ReportCurve][], kind: 'mlm' | 'classification'): string {
  const lambdas = curves[0][1].lambdas;
  const header = ['λ'];
  for (const [name] of curves) header.push(`${name} loss`, ...(kind === 'mlm' ? [`${name} PPPL`] : [`${name} acc.`]));
  const rows = lambdas.map((l, i) => {
    const row = [num(l)];
    for (const [, c] of curves) row.push(num(c.losses[i]), num(kind === 'mlm' ? c.pppl?.[i] : c.accuracy?.[i]));
    return row;
  });
  return table(header, rows);
}
