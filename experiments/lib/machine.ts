/** A description of the machine and code a result was produced on, for the reports. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { REPO_ROOT } from './options.js';

/** Machine and code facts. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** `git rev-parse HEAD` plus `+dirty` when the tree has changes (undefined outside a checkout). */
  readonly commit?: string;
  /** `SYMFUSE_THREADS` when set (the CPU backend's worker count). */
  readonly threads?: string;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

let info: MachineInfo | undefined;

/** The machine this process runs on (computed once). */
export function machineInfo(): MachineInfo {
  if (info) return info;
  const cpus = os.cpus();
  const head = git(['rev-parse', '--short=12', 'HEAD']);
  const dirty = git(['status', '--porcelain']);
  info = {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ...(head ? { commit: `${head}${dirty ? '+dirty' : ''}` } : {}),
    ...(process.env.SYMFUSE_THREADS ? { threads: process.env.SYMFUSE_THREADS } : {}),
  };
  return info;
}

/** One line: `2 × Intel … · 8 GiB · Linux 6.1 x64 · Node v20.19.0 · commit abc+dirty`. */
export function machineLine(m: MachineInfo = machineInfo()): string {
  return [`${m.cores} × ${m.cpu}`, `${m.memoryGiB} GiB`, m.os, `Node ${m.node}`, m.threads ? `SYMFUSE_THREADS=${m.threads}` : undefined, m.commit ? `commit ${m.commit}` : undefined]
    .filter(Boolean)
    .join(' · ');
}
