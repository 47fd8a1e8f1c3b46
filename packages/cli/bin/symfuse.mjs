#!/usr/bin/env node
// The `symfuse` launcher: registers tsx's ESM loader in this process (there is no build step; the
// sources are TypeScript) and runs the CLI entry point. One process, so Ctrl-C reaches the CLI's own
// handler, which removes any partial output.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../src/main.ts', import.meta.url).href);
await runCli();
