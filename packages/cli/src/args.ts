/**
 * Command-line parsing on `node:util` `parseArgs`, with the flags every command shares and errors
 * turned into {@link UsageError}s that name the flag.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/** Option declarations as `parseArgs` takes them. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean | string[] }>;

/** Flags shared by every command. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  backend: { type: 'string' },
} as const satisfies OptionSpec;

/** Parsed flags: strings, booleans or string lists, by name. */
export type Flags = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses `argv` for `command` with its options plus {@link COMMON_OPTIONS}.
 * @throws UsageError naming the unknown flag or the flag missing its value.
 */
export function parseCommand(command: string, argv: readonly string[], options: OptionSpec, allowPositionals = false): { flags: Flags; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
    return { flags: r.values as Flags, positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(msg, command);
  }
}

/** A string flag's value, or a usage error when it is required and missing. */
export function str(flags: Flags, name: string, command: string, required: true): string;
export function str(flags: Flags, name: string, command: string, required?: false): string | undefined;
export function str(flags: Flags, name: string, command: string, required = false): string | undefined {
  const v = flags[name];
  if (v === undefined) {
    if (required) throw new UsageError(`missing --${name}`, command);
    return undefined;
  }
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`, command);
  return v;
}

/** An integer flag within `[min, max]`. */
export function int(flags: Flags, name: string, command: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = str(flags, name, command);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} = ${JSON.stringify(v)}: expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}]`, command);
  return n;
}

/** `a,b,c` → `['a', 'b', 'c']` (empty parts dropped). */
export function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `key=value` pairs (`--option k=v`, repeatable). Values are YAML-ish scalars: `true`/`false`,
 * numbers, JSON arrays/objects, else strings.
 */
export function keyValues(items: readonly string[], command: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option ${JSON.stringify(item)}: expected key=value (e.g. --option mha=head-perm)`, command);
    out[item.slice(0, eq).trim()] = scalar(item.slice(eq + 1).trim());
  }
  return out;
}

function scalar(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v !== '' && Number.isFinite(Number(v))) return Number(v);
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}
