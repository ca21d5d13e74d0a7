// Create or update /etc/fieldclass/config.json for install.sh, then validate it with the app's own schema.
//   node config-merge.mjs --file F --app DIR [--set path=json]... [--trusted-key-file FILE]...
// A new file starts from the box defaults below. An existing file keeps every value the technician or the
// admin page set; only the fields given here are changed, and trusted keys are added (never removed).
// Writes (atomically) only when something differs; prints "changed" or "unchanged".
import { existsSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const BOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: '/var/lib/fieldclass',
  export: { outboxDir: '/var/lib/fieldclass/outbox', usbRoots: ['/media/fieldclass'] },
  content: { trustedKeys: [] },
  allowedOrigins: ['http://class.lan'],
};

const args = process.argv.slice(2);
let file;
let app;
const sets = [];
const keyFiles = [];
for (let i = 0; i < args.length; i += 2) {
  const [k, v] = [args[i], args[i + 1]];
  if (v === undefined) fail(`${k} needs a value`);
  if (k === '--file') file = v;
  else if (k === '--app') app = v;
  else if (k === '--set') sets.push(v);
  else if (k === '--trusted-key-file') keyFiles.push(v);
  else fail(`unknown option ${k}`);
}
if (!file) fail('--file is required');

function fail(msg) {
  process.stderr.write(`config: ${msg}\n`);
  process.exit(2);
}

const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
let cfg;
try {
  cfg = before === null ? structuredClone(BOX_DEFAULTS) : JSON.parse(before);
} catch (e) {
  fail(`${file}: not valid JSON (${e.message}); fix or remove it`);
}
if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) fail(`${file}: must hold a JSON object`);

for (const s of sets) {
  const eq = s.indexOf('=');
  if (eq < 1) fail(`--set ${s}: expected path=json`);
  const path = s.slice(0, eq).split('.');
  let value;
  try {
    value = JSON.parse(s.slice(eq + 1));
  } catch {
    fail(`--set ${s}: the value is not JSON`);
  }
  let o = cfg;
  for (const p of path.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p];
  }
  o[path.at(-1)] = value;
}

if (keyFiles.length) {
  cfg.content ??= {};
  const keys = Array.isArray(cfg.content.trustedKeys) ? cfg.content.trustedKeys : [];
  for (const f of keyFiles) {
    if (!existsSync(f)) fail(`--hq-key ${f}: no such file`);
    const key = readFileSync(f, 'utf8').trim();
    if (!key) fail(`--hq-key ${f}: the file is empty`);
    if (key.includes('PRIVATE KEY')) fail(`--hq-key ${f}: this is a private key; give the HQ public key`);
    if (!keys.includes(key)) keys.push(key);
  }
  cfg.content.trustedKeys = keys;
}

const after = JSON.stringify(cfg, null, 2) + '\n';

// Validate with the app's schema, so a bad value is caught now and not at the first boot on site.
if (app) {
  const mod = join(app, 'dist', 'core', 'config.js');
  if (existsSync(mod)) {
    const { loadConfig } = await import(pathToFileURL(mod).href);
    // Each trusted key must be a key the content importer can read (SPKI PEM or base64 of the raw key).
    const keysMod = join(app, 'dist', 'content', 'course-bundle.js');
    if (existsSync(keysMod)) {
      const { parseContentPublicKey } = await import(pathToFileURL(keysMod).href);
      if (typeof parseContentPublicKey === 'function') {
        for (const k of cfg.content?.trustedKeys ?? []) {
          try {
            parseContentPublicKey(k);
          } catch (e) {
            fail(
              `content.trustedKeys: "${String(k).slice(0, 40)}...": not an Ed25519 public key (${e.message})`,
            );
          }
        }
      }
    }
    const tmp = join(dirname(file), `.config.check.${process.pid}.json`);
    writeFileSync(tmp, after, { mode: 0o600 });
    try {
      loadConfig({ configFile: tmp, env: {} });
    } catch (e) {
      fail(`${file}: ${String(e.message).replaceAll(tmp, file)}`);
    } finally {
      (await import('node:fs')).rmSync(tmp, { force: true });
    }
  }
}

if (after === before) {
  console.log('unchanged');
} else {
  const tmp = `${file}.tmp${process.pid}`;
  writeFileSync(tmp, after, { mode: 0o640 });
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
  console.log('changed');
}
