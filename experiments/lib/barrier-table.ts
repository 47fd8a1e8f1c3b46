/**
 * The body shared by the Verma–Elbayad barrier tables (Table 1: attention strategies; Table 2:
 * residual strategies): one curve per seed pair and row, a table of barriers (mean ± standard error)
 * beside the paper's numbers, the mean curves, and the raw curves in the JSON.
 */
import { lineChart } from '@symfuse/eval';
import type { Context } from './experiment.js';
import type { Report } from './report.js';
import type { CurveData } from './runs.js';
import { fixed, meanSe, pm, pointwise } from './summary.js';
import { type MlmSettings, pairCurves, type VeOptions } from './verma-elbayad.js';

/** One row of a barrier table. */
export interface BarrierRow {
  readonly id: string;
  readonly label: string;
  readonly options: VeOptions;
  /** The paper's loss barrier and standard error for this row, when it reports one. */
  readonly paper?: readonly [number, number];
}

/** Results of a table, by row id. */
export type BarrierResults = Record<string, { pair: [number, number]; curve: CurveData }[]>;

/** Runs every row over every pair and writes the table, the plot and the data. */
export async function barrierTable(ctx: Context<MlmSettings & { rows: string[] }>, report: Report, rows: readonly BarrierRow[], title: string): Promise<BarrierResults> {
  const chosen = ctx.settings.rows.map((id) => {
    const r = rows.find((x) => x.id === id);
    if (!r) throw new Error(`rows: unknown row '${id}'; known: ${rows.map((x) => x.id).join(', ')}`);
    return r;
  });
  const results: BarrierResults = {};
  for (const r of chosen) results[r.id] = await pairCurves(ctx, r.id, r.options);
  const nPairs = results[chosen[0].id]?.length ?? 0;

  report.section(title);
  report.table(
    ['method', 'function-preserving', 'loss barrier ↓ (nats)', 'linear barrier', 'mean λ of the max', 'paper barrier (std. err.)'],
    chosen.map((r) => {
      const rs = results[r.id];
      return [
        r.label,
        rs.every((x) => x.curve.preservesFunction) ? 'yes' : 'no',
        pm(meanSe(rs.map((x) => x.curve.barrier))),
        pm(meanSe(rs.map((x) => x.curve.barrierLinear))),
        fixed(meanSe(rs.map((x) => x.curve.barrierLambda)).mean, 2),
        r.paper ? `${r.paper[0].toFixed(2)} (${r.paper[1].toFixed(2)})` : '–',
      ];
    }),
    `Mean ± standard error over ${nPairs} seed pairs; the paper's numbers are for 12-layer MultiBERTs (10 pairs).`,
  );
  const lambdas = results[chosen[0].id]?.[0]?.curve.lambdas ?? [];
  report.plot(
    'loss',
    lineChart({
      title: `${title}: MLM loss of θ(λ)`,
      subtitle: `mean over ${nPairs} seed pairs`,
      xLabel: 'λ (0 = model B aligned, 1 = model A)',
      yLabel: 'loss (nats)',
      series: chosen.map((r) => ({ name: r.label, x: lambdas, y: pointwise(results[r.id].map((x) => x.curve.losses)).map((m) => m.mean) })),
    }),
    'loss over λ',
  );
  report.table(
    ['pair', ...chosen.map((r) => r.label)],
    (results[chosen[0].id] ?? []).map((x, k) => [`${x.pair[0]} × ${x.pair[1]}`, ...chosen.map((r) => fixed(results[r.id][k].curve.barrier))]),
    'Barrier per seed pair.',
  );
  report.data.lambdas = lambdas;
  report.data.rows = chosen.map((r) => ({ id: r.id, label: r.label, options: r.options, paper: r.paper, curves: results[r.id].map((x) => ({ pair: x.pair, ...x.curve, sites: undefined })) }));
  return results;
}

/** "A < B" wins over pairs: how many pairs have row a's barrier below row b's. */
export function wins(results: BarrierResults, a: string, b: string): string {
  const ra = results[a];
  const rb = results[b];
  if (!ra || !rb) return '–';
  return `${ra.filter((x, k) => x.curve.barrier < rb[k].curve.barrier).length}/${ra.length}`;
}
