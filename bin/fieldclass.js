#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script) or `npm run build`.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22+ keeps V8's compiled code on disk (NODE_COMPILE_CACHE, else the temp dir): a faster start on a
// Pi. Node 20 has no such cache and simply compiles.
module.enableCompileCache?.();
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('fieldclass is not built yet: run `npm run build` (npm install does it for you).');
  process.exit(1);
}
await import(entry.href);
