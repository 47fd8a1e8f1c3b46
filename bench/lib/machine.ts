/**
 * What a benchmark ran on: CPU model, cores, memory, Node version, the GEMM worker pool and the load
 * average, plus a file-name slug for `bench/results/<machine>-<date>.json`.
 */
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { gemmPoolInfo } from '@symfuse/tensor/gemm';

/** The machine section of a results file. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** Cores Node may use (`os.availableParallelism()`). */
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** Threads of the CPU backend's GEMM pool (caller + workers). */
  readonly gemmThreads: number;
  /** Load average (1, 5, 15 min) when the run started. */
  readonly loadAverage: readonly number[];
}

/** Describes this machine now. */
export function machineInfo(): MachineInfo {
  const model = cpus()[0]?.model.trim() || 'unknown CPU';
  let gemmThreads = 1;
  try {
    gemmThreads = gemmPoolInfo().size;
  } catch {
    // An invalid SYMFUSE_THREADS is reported by the first product, not here.
  }
  return {
    cpuModel: model,
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${release()}`,
    gemmThreads,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** `amd-epyc-2c`: the CPU model in lower-case words (vendor noise dropped) and the core count. */
export function machineSlug(m: MachineInfo): string {
  const words = m.cpuModel
    .toLowerCase()
    .replace(/\(r\)|\(tm\)|cpu|processor|@.*$|\d+-core/g, ' ')
    .split(/[^a-z0-9.]+/)
    .filter((w) => w.length > 0)
    .slice(0, 4);
  return `${words.join('-') || 'machine'}-${m.cores}c`;
}

/** Today's date as `YYYY-MM-DD` (UTC). */
export function isoDate(d = new Date()): string {
  return d.toISOString().slice(0, 10);
}
