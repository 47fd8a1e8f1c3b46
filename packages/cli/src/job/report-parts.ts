/** Pieces of a run report shared by `merge`, `demo`, `align` and `barrier`. */
import fs from 'node:fs';
import path from 'node:path';
import { type CorrelationMatrixPair, correlationMatrixPairs, correlationPerLayer, correlationSites, type ReportAlignStep, type ReportDistances, parameterDistances, renderMarkdown, reportPlots, type RunReport, svgToPng } from '@symfuse/eval';
import type { PipelineResult } from '@symfuse/symmetry';
import { type MergeConfig, configToYaml } from '../config.js';
import { CliError } from '../errors.js';
import type { StagedOutput } from '../staging.js';
import { cliVersion } from '../version.js';

/** The alignment steps of a pipeline result, in report form. */
export function alignSteps(result: Pick<PipelineResult, 'steps'>): ReportAlignStep[] {
  return result.steps.map((s) => {
    const sites = correlationSites(s.diagnostics);
    return { model: s.model, step: s.step, aligner: s.aligner, spaces: s.spaces.length, ms: s.ms, preservesFunction: s.transform.preservesFunction, sites, perLayer: correlationPerLayer(sites) };
  });
}

/** Correlation matrices returned by the steps on the first model (for heatmaps). */
export function stepMatrices(result: Pick<PipelineResult, 'steps'>): CorrelationMatrixPair[] {
  return result.steps.filter((s) => s.model === 0).flatMap((s) => correlationMatrixPairs(s.diagnostics));
}

/** Distances anchor ↔ model before and (when given) after alignment. */
export function distances(anchor: ReadonlyMap<string, import('@symfuse/tensor').Tensor>, model: ReadonlyMap<string, import('@symfuse/tensor').Tensor>, aligned?: ReadonlyMap<string, import('@symfuse/tensor').Tensor>): ReportDistances {
  const v = parameterDistances(anchor, model);
  const a = aligned ? parameterDistances(anchor, aligned) : undefined;
  return { vanilla: { total: v.total, perLayer: v.perLayer }, ...(a ? { aligned: { total: a.total, perLayer: a.perLayer } } : {}) };
}

/** Raster pixels per SVG unit of `--png` plots: twice the SVG size, sharp on high-density screens and in print. */
const PNG_SCALE = 2;

function listFiles(dir: string, base = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), path.join(base, e.name)) : [path.join(base, e.name)]))
    .sort();
}

/** How {@link writeReport} writes plots. */
export interface ReportPlotOptions {
  /** Also write `plots/<name>.png` beside each `plots/<name>.svg` (`--png`). */
  readonly png?: boolean;
}

/**
 * Writes `plots/*.svg` (and with `png`, `plots/*.png`), `report.json` and `report.md` into the staging
 * directory. The report's `files` lists everything the directory will hold.
 */
export function writeReport(staged: StagedOutput, report: Omit<RunReport, 'files'>, matrices: readonly CorrelationMatrixPair[] = [], options: ReportPlotOptions = {}): RunReport {
  staged.ensure();
  const plots = reportPlots({ ...report, files: [] }, matrices);
  for (const [name, svg] of plots) {
    staged.write(path.join('plots', name), svg);
    if (!options.png) continue;
    const pngName = path.join('plots', name.replace(/\.svg$/, '.png'));
    let png: Uint8Array;
    try {
      png = svgToPng(svg, { scale: PNG_SCALE });
    } catch (e) {
      throw new CliError(`--png: cannot rasterise ${pngName}: ${(e as Error).message}`);
    }
    staged.write(pngName, png);
  }
  const files = [...new Set([...listFiles(staged.dir), 'report.json', 'report.md'])].sort();
  const full: RunReport = { ...report, files };
  staged.write('report.json', `${JSON.stringify(full, null, 2)}\n`);
  staged.write('report.md', renderMarkdown(full));
  return full;
}

/**
 * The parts every merge report starts with (both the in-memory and the streaming job): writes the
 * resolved configuration as `symfuse.yaml` into `staged`, and returns the report's header fields
 * and the merge method split from its parameters.
 */
export function mergeReportHeader(
  staged: StagedOutput,
  cfg: MergeConfig,
  ctx: { readonly command: string; readonly backend: string },
): { header: Pick<RunReport, 'tool' | 'command' | 'createdAt' | 'backend'>; method: string; mergeParams: Record<string, unknown> } {
  staged.write('symfuse.yaml', configToYaml(cfg, `symfuse ${ctx.command}: the resolved configuration of this run (symfuse ${cliVersion()})`));
  const { method, ...mergeParams } = cfg.merge;
  return { header: reportHeader(ctx.command, ctx.backend), method, mergeParams };
}

/** The fields every run report starts with: the tool and its version, the command, when, and the backend. */
export function reportHeader(command: string, backend: string): Pick<RunReport, 'tool' | 'command' | 'createdAt' | 'backend'> {
  return { tool: { name: 'symfuse', version: cliVersion() }, command, createdAt: new Date().toISOString(), backend };
}
