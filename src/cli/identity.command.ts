import type { Command } from 'commander';
import { fail, withContext, type GlobalFlags } from './context.js';

/** `fieldclass identity init | show | request`: the box's appliance id and Ed25519 key. */
export function registerIdentity(program: Command): void {
  const identity = program.command('identity').description("the box's appliance id and signing key");
  identity
    .command('init')
    .description('make the appliance id and key pair if there are none (first start does it too)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .option('-c, --config <file>', 'config file (default <data>/config.json)')
    .action((opts: GlobalFlags) => {
      try {
        withContext(opts, (ctx) => {
          const made = ctx.identity.ensure();
          const id = ctx.identity.show();
          console.log(`${made ? 'made' : 'already present'}: appliance ${id.applianceId}, key ${id.keyId}`);
          console.log(`private key: ${ctx.identity.privateKeyPath} (never leaves this box)`);
        });
      } catch (e) {
        fail(e);
      }
    });
  identity
    .command('show')
    .description('print the appliance id, key id and public key')
    .option('--json', 'as JSON {applianceId, keyId, publicKey}')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .option('-c, --config <file>', 'config file (default <data>/config.json)')
    .action((opts: GlobalFlags & { json?: boolean }) => {
      try {
        withContext(opts, (ctx) => {
          const id = ctx.identity.show();
          if (opts.json) console.log(JSON.stringify(id, null, 2));
          else console.log(`appliance ${id.applianceId}\nkey id    ${id.keyId}\n${id.publicKey.trimEnd()}`);
        });
      } catch (e) {
        fail(e);
      }
    });
  identity
    .command('request')
    .description('print an enrolment request for HQ (fieldclass identity request > enrol.json)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .option('-c, --config <file>', 'config file (default <data>/config.json)')
    .action((opts: GlobalFlags) => {
      try {
        withContext(opts, (ctx) => console.log(JSON.stringify(ctx.identity.request(), null, 2)));
      } catch (e) {
        fail(e);
      }
    });
}
