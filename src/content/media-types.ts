/** File types the content store knows, by lower-case extension (without the dot). */
export interface MediaType {
  type: string;
  kind: 'image' | 'video' | 'audio' | 'text' | 'document' | 'source';
  /** Stored with gzip and brotli variants at import (text formats that compress well). */
  compress: boolean;
  /** Able to run script when opened as a document: served with a sandboxing CSP. */
  active: boolean;
}

const T = (type: string, kind: MediaType['kind'], compress = false, active = false): MediaType => ({
  type,
  kind,
  compress,
  active,
});

export const MEDIA_TYPES: Readonly<Record<string, MediaType>> = {
  png: T('image/png', 'image'),
  jpg: T('image/jpeg', 'image'),
  jpeg: T('image/jpeg', 'image'),
  webp: T('image/webp', 'image'),
  gif: T('image/gif', 'image'),
  svg: T('image/svg+xml', 'image', true, true),
  webm: T('video/webm', 'video'),
  mp4: T('video/mp4', 'video'),
  mp3: T('audio/mpeg', 'audio'),
  ogg: T('audio/ogg', 'audio'),
  vtt: T('text/vtt; charset=utf-8', 'text', true),
  pdf: T('application/pdf', 'document'),
  // Not allowed as native course media, known for SCORM packages later and for the course's own sources.
  css: T('text/css; charset=utf-8', 'text', true),
  js: T('text/javascript; charset=utf-8', 'text', true, true),
  html: T('text/html; charset=utf-8', 'text', true, true),
  htm: T('text/html; charset=utf-8', 'text', true, true),
  json: T('application/json', 'source', true),
  md: T('text/markdown; charset=utf-8', 'source', true),
  xml: T('application/xml', 'text', true, true),
  txt: T('text/plain; charset=utf-8', 'text', true),
};

/** Extensions a native course may keep in media/ (see content-bundles/README.md). */
export const NATIVE_MEDIA_EXTS: ReadonlySet<string> = new Set([
  'png',
  'jpg',
  'jpeg',
  'webp',
  'gif',
  'svg',
  'webm',
  'mp4',
  'mp3',
  'ogg',
  'vtt',
  'pdf',
]);

export function extOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function mediaTypeOf(path: string): MediaType | undefined {
  return MEDIA_TYPES[extOf(path)];
}
