// The layering of docs/ARCHITECTURE.md, held by the linter: one rule that resolves every import of a file
// under src/ and checks it against the table below. The table is the layering; change both together.
import { dirname, relative, resolve, sep } from 'node:path';

/** Folders of src/ that are features (everything but the kits and the wiring). */
const FEATURES = ['people', 'content', 'learning', 'records', 'bundles', 'hq', 'admin', 'health', 'jobs'];

/** Which top folders of src/ a folder may import from (itself always). Unlisted folders: see below. */
const ONLY = {
  core: ['core'],
  db: ['core', 'db'],
  contract: ['core', 'contract'],
  web: ['core', 'web'],
};

/** Packages that read HTTP requests: only routes, middleware, the web kit and the wiring use them. */
const HTTP_PACKAGES = new Set(['express', 'busboy']);
const httpAllowed = (rel) =>
  rel.startsWith('web/') ||
  rel.startsWith('app/') ||
  /\.routes\.tsx?$/.test(rel) ||
  /\.middleware\.tsx?$/.test(rel) ||
  // HQ's session/CSRF middleware and page context (to become part of the web kit).
  rel === 'hq/hq.web.ts';

function check(rel, target, isPackage) {
  const from = rel.split('/')[0];
  if (isPackage) {
    const pkg = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : target.split('/')[0];
    if (HTTP_PACKAGES.has(pkg) && !httpAllowed(rel))
      return `${pkg} is read only in *.routes.*, *.middleware.*, web/ and app/ (this is ${rel})`;
    return null;
  }
  const to = target.split('/')[0];
  if (target.startsWith('..')) return `${rel} imports ${target}, outside src/`;
  if (ONLY[from] && !ONLY[from].includes(to))
    return `${from}/ may import only ${ONLY[from].join('/, ')}/ (${rel} imports ${target})`;
  if ((to === 'app' || to === 'cli') && from !== 'app' && from !== 'cli')
    return `no feature imports the wiring (${rel} imports ${target}): take what you need as a parameter`;
  if (to === 'cli' && from === 'app') return `app/ does not import cli/ (${rel} imports ${target})`;
  if (/\.repo\.tsx?$/.test(rel) && /\.service(\.tsx?)?$/.test(target))
    return `a repo does not call services (${rel} imports ${target})`;
  if (FEATURES.includes(from) && FEATURES.includes(to) && from !== to && /\.repo(\.tsx?)?$/.test(target))
    return `a feature uses another feature's service, never its repo (${rel} imports ${target})`;
  return null;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layering of docs/ARCHITECTURE.md' },
    schema: [],
    messages: { layer: '{{why}}' },
  },
  create(context) {
    const file = context.filename;
    const src = resolve(context.cwd, 'src');
    const relFile = relative(src, file).split(sep).join('/');
    if (relFile.startsWith('..') || /\.test\.tsx?$/.test(relFile)) return {};
    const visit = (node, source) => {
      if (typeof source !== 'string') return;
      const isPackage = !source.startsWith('.');
      const target = isPackage
        ? source
        : relative(src, resolve(dirname(file), source))
            .split(sep)
            .join('/')
            .replace(/\.js$/, '');
      const why = check(relFile, target, isPackage);
      if (why) context.report({ node, messageId: 'layer', data: { why } });
    };
    return {
      ImportDeclaration: (n) => visit(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && visit(n, n.source.value),
      ExportAllDeclaration: (n) => visit(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && visit(n, n.source.value),
    };
  },
};

/** Where SQL may be written: repos, migrations and the database kit (db/). */
const sqlAllowed = (rel) => /\.repo\.tsx?$/.test(rel) || rel.startsWith('db/');
const SQL_TEXT =
  /^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|VACUUM)\b/i;
const leadingText = (node) =>
  node?.type === 'Literal' && typeof node.value === 'string'
    ? node.value
    : node?.type === 'TemplateLiteral'
      ? (node.quasis[0]?.value.cooked ?? '')
      : null;

/**
 * SQL only in repos and migrations: outside them, `x.prepare(...)` is refused whatever its argument, and
 * `x.exec(...)` when its text is SQL (RegExp#exec takes a subject, not SQL). Connection settings
 * (`db.pragma`) and transactions (`db.transaction`) stay where the wiring and the services need them.
 */
const sqlRule = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL is written only in *.repo.ts, db/ and migrations' },
    schema: [],
    messages: { sql: 'SQL only in repos and migrations: move this {{what}} into a *.repo.ts ({{file}})' },
  },
  create(context) {
    const src = resolve(context.cwd, 'src');
    const rel = relative(src, context.filename).split(sep).join('/');
    if (rel.startsWith('..') || /\.test\.tsx?$/.test(rel) || sqlAllowed(rel)) return {};
    return {
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier')
          return;
        const name = callee.property.name;
        const text = leadingText(node.arguments[0]);
        if (name === 'prepare' || (name === 'exec' && text !== null && SQL_TEXT.test(text)))
          context.report({ node, messageId: 'sql', data: { what: `.${name}()`, file: rel } });
      },
    };
  },
};

export default { rules: { layering: rule, 'sql-in-repos': sqlRule } };
