/** The package version, read from package.json (no build step embeds it). */
import fs from 'node:fs';

let version: string | undefined;

/** `@symfuse/cli`'s version. */
export function cliVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}
