/**
 * Atomic output directories: everything is written into a temporary directory beside the target
 * (same file system, so the final rename is atomic) and renamed into place only when the whole job
 * succeeded. An existing target is refused unless `force`; with `force` it is replaced only at the
 * very end. A failure or a Ctrl-C (SIGINT/SIGTERM) removes the temporary directory, so a run leaves
 * either the complete output or nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './errors.js';

const live = new Set<string>();
let handlersInstalled = false;

/** Removes every live staging directory (synchronously: called from signal handlers). */
export function cleanupStaging(): void {
  for (const dir of live) {
    fs.rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupStaging);
}

/** A staged output directory. */
export interface StagedOutput {
  /** The final directory. */
  readonly target: string;
  /** The temporary directory to write into (does not exist until `ensure()` or a writer creates it). */
  readonly dir: string;
  /** Creates the staging directory (if a writer has not) and returns it. */
  ensure(): string;
  /** Writes a file (creating sub-directories) into the staging directory. */
  write(relative: string, contents: string | Uint8Array): void;
  /** Moves the staging directory into place (replacing an existing target when forced). */
  commit(): void;
  /** Removes the staging directory (idempotent). */
  discard(): void;
}

/**
 * Checks the target and reserves a staging path beside it.
 * @throws CliError when `target` exists and `force` is not set, or exists and is not a directory.
 */
export function stageOutput(target: string, options: { force?: boolean } = {}): StagedOutput {
  const abs = path.resolve(target);
  if (fs.existsSync(abs)) {
    if (!options.force) throw new CliError(`output ${target} already exists; pass --force to replace it`);
    if (!fs.statSync(abs).isDirectory()) throw new CliError(`output ${target} exists and is not a directory; refusing to replace it`);
  }
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  // A unique name that does not exist yet (saveModelDir creates the directory itself).
  const dir = path.join(parent, `.${path.basename(abs)}.symfuse-tmp-${process.pid}-${Date.now().toString(36)}`);
  installHandlers();
  live.add(dir);
  let done = false;
  const staged: StagedOutput = {
    target: abs,
    dir,
    ensure() {
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    write(relative, contents) {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, contents);
    },
    commit() {
      if (done) throw new CliError(`output ${target}: already committed or discarded`);
      staged.ensure();
      if (fs.existsSync(abs)) {
        if (!options.force) throw new CliError(`output ${target} appeared while the job ran; pass --force to replace it (the result was not written)`);
        const old = `${dir}.old`;
        fs.renameSync(abs, old);
        fs.renameSync(dir, abs);
        fs.rmSync(old, { recursive: true, force: true });
      } else {
        fs.renameSync(dir, abs);
      }
      live.delete(dir);
      done = true;
    },
    discard() {
      fs.rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
      done = true;
    },
  };
  return staged;
}
