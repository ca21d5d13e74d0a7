import { fail } from './context.js';
import { buildProgram } from './program.js';

// The CLI entry point (bin/fieldclass.js imports the built copy of this file).
buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => fail(e));
