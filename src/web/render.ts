import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Response } from 'express';

/** Render a page component to HTML (preact escapes every text and attribute by default). */
export function renderPage(vnode: VNode): string {
  return '<!doctype html>' + renderToString(vnode);
}

export function sendPage(res: Response, vnode: VNode, status = 200): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store');
  res.send(renderPage(vnode));
}
