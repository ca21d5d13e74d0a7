import { posix } from 'node:path';
import { createRequire } from 'node:module';
import type MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { extOf, mediaTypeOf } from './media-types.js';

/** What the renderer needs to know about the course's files. */
export interface MediaResolver {
  /** The content-addressed URL (`/c/<sha256>.<ext>`) of a course file, if it is stored as media. */
  urlOf(path: string): string | undefined;
  has(path: string): boolean;
}

export interface RenderedLesson {
  html: string;
  errors: string[];
  /** Course paths the lesson refers to (media in use). */
  used: Set<string>;
}

// markdown-it is needed only when a course is installed, not to serve one: it is loaded on first use
// (synchronously, through require) so that it stays off the box's start-up path.
const require = createRequire(import.meta.url);
let parser: MarkdownIt | undefined;

/** One parser for every lesson: raw HTML off (shown as text, never run), no typographic rewriting. */
function markdown(): MarkdownIt {
  if (parser) return parser;
  const Ctor = require('markdown-it') as typeof MarkdownIt;
  const md = new Ctor({ html: false, linkify: false, typographer: false });
  const esc = md.utils.escapeHtml;
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const meta = token.meta as { kind?: 'video' | 'audio'; track?: string; lang?: string } | null;
    const src = token.attrGet('src') ?? '';
    const caption = token.content;
    if (meta?.kind === 'video' || meta?.kind === 'audio') {
      const track = meta.track
        ? `<track kind="captions" src="${esc(meta.track)}" srclang="${esc(meta.lang ?? '')}" label="${esc(caption || meta.lang || 'captions')}" default>`
        : '';
      const fallback = `<a href="${esc(src)}">${esc(caption || src)}</a>`;
      const label = caption ? ` aria-label="${esc(caption)}" title="${esc(caption)}"` : '';
      return `<${meta.kind} controls preload="metadata"${meta.kind === 'video' ? ' playsinline' : ''} src="${esc(src)}"${label}>${track}${fallback}</${meta.kind}>`;
    }
    token.attrSet('loading', 'lazy');
    return defaultImage(tokens, idx, options, env, self);
  };
  parser = md;
  return md;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function resolvePath(fromFile: string, ref: string): string | { error: string } {
  let raw = ref.split('#')[0]!.split('?')[0]!;
  try {
    raw = decodeURIComponent(raw);
  } catch {
    return { error: 'is not a valid path' };
  }
  if (raw.startsWith('/'))
    return { error: 'must be relative to the lesson file, such as ../media/photo.png' };
  const joined = posix.normalize(posix.join(posix.dirname(fromFile), raw));
  if (joined === '..' || joined.startsWith('../')) return { error: 'points outside the course folder' };
  return joined;
}

/**
 * Render one lesson file to safe HTML. Images, video and audio (in image syntax) and links to course
 * files are resolved relative to the lesson file and rewritten to their content-addressed URLs; a
 * reference to a file that is not in the course is an error naming the lesson file and the path.
 */
export function renderLesson(
  source: string,
  file: string,
  lang: string,
  media: MediaResolver,
): RenderedLesson {
  const errors: string[] = [];
  const used = new Set<string>();
  const md = markdown();
  const env = {};
  const tokens = md.parse(source, env);

  const visit = (t: Token): void => {
    if (t.type === 'image') {
      const ref = t.attrGet('src') ?? '';
      if (SCHEME.test(ref) || ref.startsWith('//')) {
        errors.push(`${file}: image "${ref}": must be a file of the course (the box has no internet)`);
        return;
      }
      const p = resolvePath(file, ref);
      if (typeof p !== 'string') return void errors.push(`${file}: image "${ref}": ${p.error}`);
      const url = media.urlOf(p);
      if (!media.has(p)) return void errors.push(`${file}: image "${ref}": ${p} is not in the course`);
      if (!url) return void errors.push(`${file}: image "${ref}": ${p} is not a media file`);
      used.add(p);
      t.attrSet('src', url);
      const kind = mediaTypeOf(p)?.kind;
      if (kind === 'video' || kind === 'audio') {
        const base = p.slice(0, p.length - extOf(p).length - 1);
        const vtt = [`${base}.${lang}.vtt`, `${base}.vtt`].find((v) => media.urlOf(v));
        if (vtt) used.add(vtt);
        t.meta = { kind, lang, ...(vtt ? { track: media.urlOf(vtt) } : {}) };
      } else if (kind !== 'image') {
        errors.push(
          `${file}: image "${ref}": a ${extOf(p)} file cannot be shown as an image; link to it instead`,
        );
      }
    } else if (t.type === 'link_open') {
      const ref = t.attrGet('href') ?? '';
      if (ref === '' || ref.startsWith('#') || SCHEME.test(ref) || ref.startsWith('//')) return;
      const p = resolvePath(file, ref);
      if (typeof p !== 'string') return void errors.push(`${file}: link "${ref}": ${p.error}`);
      if (!media.has(p)) return void errors.push(`${file}: link "${ref}": ${p} is not in the course`);
      const url = media.urlOf(p);
      if (!url)
        return void errors.push(`${file}: link "${ref}": only media files can be linked (${p} is not one)`);
      used.add(p);
      t.attrSet('href', url);
      // The stored name is a hash: give the download a readable one.
      t.attrSet('download', posix.basename(p));
    }
  };
  const walk = (list: Token[]): void => {
    for (const t of list) {
      visit(t);
      if (t.children) walk(t.children);
    }
  };
  walk(tokens);
  return { html: md.renderer.render(tokens, md.options, env), errors, used };
}
