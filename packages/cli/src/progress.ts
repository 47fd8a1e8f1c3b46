/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, plain lines otherwise (one per stage
 * change and every 10%, so logs stay short), nothing with `--quiet`. Libraries report through
 * `ProgressSink` events; this is the only place that prints them.
 */
import type { ProgressSink } from '@symfuse/symmetry';

/** Where the CLI writes human-readable output. */
export interface Console {
  /** A line of information on stderr (suppressed by `--quiet`). */
  info(line: string): void;
  /** A warning on stderr (always shown). */
  warn(line: string): void;
  /** The progress sink for long work. */
  readonly progress: ProgressSink;
  /** Clears a partly drawn bar before other output. */
  clear(): void;
}

/** Builds the console for a run. */
export function createConsole(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Console {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const quiet = Boolean(options.quiet);
  let drawn = false;
  let lastStage = '';
  let lastTenth = -1;
  let lastDraw = 0;
  const clear = () => {
    if (drawn) {
      stream.write('\r\x1b[2K');
      drawn = false;
    }
  };
  const progress: ProgressSink = (e) => {
    if (quiet) return;
    const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
    const detail = e.detail ? ` ${e.detail}` : '';
    if (tty) {
      const now = Date.now();
      if (now - lastDraw < 80 && e.done < e.total) return;
      lastDraw = now;
      const width = 24;
      const fill = Math.round(frac * width);
      const line = `${e.stage.padEnd(10)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${e.done}/${e.total}${detail}`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
      drawn = true;
      if (e.done >= e.total) clear();
      return;
    }
    const tenth = Math.floor(frac * 10);
    if (e.stage !== lastStage || tenth !== lastTenth || e.done >= e.total) {
      if (e.stage === lastStage && tenth === lastTenth) return;
      lastStage = e.stage;
      lastTenth = tenth;
      stream.write(`${e.stage}: ${e.done}/${e.total}${detail}\n`);
    }
  };
  return {
    info(line) {
      if (quiet) return;
      clear();
      stream.write(`${line}\n`);
    },
    warn(line) {
      clear();
      stream.write(`warning: ${line}\n`);
    },
    progress,
    clear,
  };
}
