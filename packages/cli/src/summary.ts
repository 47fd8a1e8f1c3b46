/** Short human summaries of a run for stdout. */
import { formatNumber as num, markdownTable, type RunReport } from '@symfuse/eval';

/** A few lines: where the output is, the barriers, the merged model's score. */
export function summarize(report: RunReport, output: string): string {
  const lines = [`wrote ${output} (${report.files.length} files) in ${((report.timings.total ?? 0) / 1000).toFixed(1)} s`];
  const e = report.evaluation;
  if (e) {
    const curves = Object.entries(e.curves ?? {});
    if (curves.length) {
      lines.push('', markdownTable(['', ...curves.map(([n]) => n)], [
        ['barrier (Eq. 10)', ...curves.map(([, c]) => `${num(c.barrier)} at λ=${num(c.barrierLambda)}`)],
        ['linear barrier', ...curves.map(([, c]) => `${num(c.barrierLinear)} at λ=${num(c.barrierLinearLambda)}`)],
      ]));
    }
    const metric = (s: { loss: number; pppl?: number; accuracy?: number } | undefined) => (s ? (e.kind === 'mlm' ? `PPPL ${num(s.pppl)}` : `accuracy ${num(s.accuracy)}`) + ` (loss ${num(s.loss)})` : '–');
    lines.push('', `anchor: ${metric(e.anchor)}; ${(e.models ?? []).map((s, k) => `model ${k + 1}: ${metric(s)}`).join('; ')}; merged: ${metric(e.merged)}`);
    lines.push(`evaluated on ${e.description}`);
  }
  return lines.join('\n');
}
