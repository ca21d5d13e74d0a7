import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { FolderSource } from '../src/content/course-source.js';
import { findRemoteReferences } from '../src/content/scorm/remote-refs.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-remote-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(SCORM_FIXTURES, 'scorm12-remote');
const unsigned = { trustedKeys: [], allowUnsigned: true };

describe('SCORM packages that load files from the internet', () => {
  let ctx: ReturnType<typeof testContext>;
  beforeEach(() => {
    ctx = testContext();
  });
  afterEach(() => ctx.cleanup());

  it('counts what a page loads (script, stylesheet, CSS url()) and only reports links, xmlns and strings in scripts', () => {
    const r = findRemoteReferences(new FolderSource(dir));
    expect(r.loaded).toEqual([
      { file: 'index.html', url: 'https://code.jquery.example/jquery-3.7.1.min.js' },
      { file: 'index.html', url: 'https://fonts.example.com/css?family=Roboto' },
      { file: 'style.css', url: 'https://cdn.example.com/bg.jpg' },
    ]);
    expect(r.other.map((o) => o.url)).toEqual([
      'http://www.w3.org/1999/xhtml',
      'https://www.example.org/more',
      'https://lrs.example.net/xapi',
    ]);
  });

  it('refuses such a package by default with the list, and installs it with allowRemote (the course then warns)', async () => {
    const zip = zipFolder(dir, join(tmp, 'remote.zip'));
    const before = ctx.content.listInstalled().length;
    await expect(importContent(ctx.content, zip, unsigned, { id: 'remote' })).rejects.toThrow(
      /loads 3 file\(s\) from the internet[\s\S]*index\.html: https:\/\/code\.jquery\.example\/jquery-3\.7\.1\.min\.js[\s\S]*style\.css: https:\/\/cdn\.example\.com\/bg\.jpg/,
    );
    expect(ctx.content.listInstalled()).toHaveLength(before);
    await importContent(ctx.content, zip, unsigned, { id: 'remote', allowRemote: true });
    expect(ctx.scorm.packageOf('remote')?.remote).toEqual([
      'https://code.jquery.example/jquery-3.7.1.min.js',
      'https://fonts.example.com/css?family=Roboto',
      'https://cdn.example.com/bg.jpg',
    ]);
  });
});
