import { Command } from 'commander';
import { VERSION } from '../core/paths.js';
import { registerBundle } from './bundle.command.js';
import { registerDemo } from './demo.command.js';
import { registerDoctor } from './doctor.command.js';
import { registerHq } from './hq.command.js';
import { registerIdentity } from './identity.command.js';
import { registerMigrate } from './migrate.command.js';
import { registerProgress } from './progress.command.js';
import { registerContent } from './content.command.js';
import { registerServe } from './serve.command.js';
import { registerTrainee } from './trainee.command.js';
import { registerAdmin } from './admin.command.js';
import { registerBackup } from './backup.command.js';

/** The one CLI. Each command group lives in its own file and registers itself here. */
export function buildProgram(): Command {
  const program = new Command();
  program.name('fieldclass').description('offline classroom appliance').version(VERSION);
  registerServe(program);
  registerMigrate(program);
  registerContent(program);
  registerTrainee(program);
  registerAdmin(program);
  registerBackup(program);
  registerProgress(program);
  registerDemo(program);
  registerDoctor(program);
  registerHq(program);
  registerIdentity(program);
  registerBundle(program);
  return program;
}
