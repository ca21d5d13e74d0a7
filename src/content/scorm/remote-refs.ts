import type { CourseSource } from '../course-source.js';

/**
 * Absolute http(s) URLs a package refers to. The box is offline: what a page LOADS from the internet
 * (script, image, audio/video, frame, stylesheet, CSS url() / @import) will fail in class, so those are
 * counted; other absolute URLs (links a trainee may follow, xmlns, strings inside scripts) are only
 * reported. Scanned: HTML and CSS files up to 4 MB each (larger ones are media in practice).
 */
export interface RemoteReference {
  file: string;
  url: string;
}
export interface RemoteReferences {
  loaded: RemoteReference[];
  other: RemoteReference[];
}

const MAX_SCAN = 4 * 1024 * 1024;
const ABS = /^(?:https?:)?\/\//i;
const HTML = /\.(?:html?|xhtml)$/i;
const CSS = /\.css$/i;

/** src= of elements that load what they point at. */
const LOADING_SRC =
  /<(script|img|audio|video|source|iframe|embed|track|input)\b[^>]*?\ssrc\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi;
/** <link ... href=...> with a rel that loads (stylesheet, icon, preload, modulepreload). */
const LINK = /<link\b[^>]*>/gi;
const HREF = /\shref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i;
const REL = /\srel\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i;
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi;
const CSS_IMPORT = /@import\s+(?:"([^"]*)"|'([^']*)')/gi;
const STYLE_BLOCK = /<style\b[^>]*>([\s\S]*?)<\/style>/gi;
const STYLE_ATTR = /\sstyle\s*=\s*("([^"]*)"|'([^']*)')/gi;
const ANY_URL = /https?:\/\/[^\s"'<>()\\]+/gi;

const first = (...v: (string | undefined)[]) => v.find((x) => x !== undefined) ?? '';

function cssUrls(css: string, out: string[]): void {
  for (const m of css.matchAll(CSS_URL)) out.push(first(m[1], m[2], m[3]));
  for (const m of css.matchAll(CSS_IMPORT)) out.push(first(m[1], m[2]));
}

export function findRemoteReferences(source: CourseSource): RemoteReferences {
  const loaded: RemoteReference[] = [];
  const other: RemoteReference[] = [];
  for (const file of source.files()) {
    const html = HTML.test(file);
    if ((!html && !CSS.test(file)) || source.size(file) > MAX_SCAN) continue;
    const text = source.read(file).toString('utf8');
    const urls: string[] = [];
    if (html) {
      for (const m of text.matchAll(LOADING_SRC)) urls.push(first(m[3], m[4], m[5]));
      for (const m of text.matchAll(LINK)) {
        const rel = REL.exec(m[0]);
        const relv = rel ? first(rel[2], rel[3], rel[4]).toLowerCase() : '';
        const href = HREF.exec(m[0]);
        if (href && /\b(stylesheet|icon|preload|modulepreload|manifest)\b/.test(relv))
          urls.push(first(href[2], href[3], href[4]));
      }
      for (const m of text.matchAll(STYLE_BLOCK)) cssUrls(m[1] ?? '', urls);
      for (const m of text.matchAll(STYLE_ATTR)) cssUrls(first(m[2], m[3]), urls);
    } else cssUrls(text, urls);
    const mine = new Set<string>();
    for (const u of urls.map((x) => x.trim()))
      if (ABS.test(u) && !mine.has(u)) {
        mine.add(u);
        loaded.push({ file, url: u.startsWith('//') ? `http:${u}` : u });
      }
    for (const m of text.matchAll(ANY_URL)) {
      const u = m[0];
      if (!mine.has(u) && !mine.has(u.replace(/^https?:/, ''))) {
        mine.add(u);
        other.push({ file, url: u });
      }
    }
  }
  return { loaded, other };
}
