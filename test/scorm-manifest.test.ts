import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leaves, parseScormManifest, withParameters } from '../src/content/scorm/manifest.js';
import { prepareScormCourse } from '../src/content/scorm/scorm-package.js';
import { ZipSource } from '../src/content/zip-reader.js';
import { SCORM_FIXTURES, writeRawZip, zipFolder } from './fixtures/scorm/make-zip.js';

const fixture = (name: string) => readFileSync(join(SCORM_FIXTURES, name, 'imsmanifest.xml'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const m12 = (items: string, resources: string, extra = '') => `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" ${extra}>
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>T</title>${items}</organization></organizations>
  <resources>${resources}</resources></manifest>`;

describe('SCORM manifest parsing', () => {
  it('reads SCORM 1.2: version, masteryscore, xml:base on the resource, parameters', () => {
    const m = parseScormManifest(fixture('scorm12-single'), new Set(['imsmanifest.xml', 'sco/index.html']));
    expect(m.version).toBe('scorm12');
    expect(m.edition).toBe('1.2');
    expect(m.title).toBe('Radio procedure (SCORM 1.2)');
    const [item] = leaves(m.items);
    expect(item!.masteryScore).toBe(80);
    expect(item!.resource).toEqual({
      identifier: 'res1',
      scormType: 'sco',
      file: 'sco/index.html',
      launch: 'sco/index.html?mode=training',
    });
  });

  it('reads SCORM 2004 4th edition: nested items, resources xml:base, completionThreshold, minNormalizedMeasure, asset, control mode', () => {
    const m = parseScormManifest(
      fixture('scorm2004-multi'),
      new Set(['imsmanifest.xml', 'content/brief.html', 'content/check.html', 'content/handout.html']),
    );
    expect(m.version).toBe('scorm2004');
    expect(m.edition).toBe('2004 4th Edition');
    expect(m.items.map((i) => i.identifier)).toEqual(['module-1', 'handout']);
    expect(m.items[0]!.children.map((i) => i.identifier)).toEqual(['sco-brief', 'sco-check']);
    const [brief, check, handout] = leaves(m.items);
    expect(brief!.completionThreshold).toBe(0.75);
    expect(check!.scaledPassingScore).toBe(0.6);
    expect(check!.resource!.launch).toBe('content/check.html?step=1');
    expect(handout!.resource!.scormType).toBe('asset');
    expect(m.controlMode).toEqual({ choice: true, flow: true, forwardOnly: false });
  });

  it('reads SCORM 2004 3rd edition: completionThreshold as element text, scormType case, default organization', () => {
    const xml = `<?xml version="1.0"?>
<manifest identifier="x3" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss" xml:base="pkg/">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="second">
    <organization identifier="first"><title>Not me</title><item identifier="a" identifierref="r"><title>A</title></item></organization>
    <organization identifier="second"><title>Me</title>
      <item identifier="b" identifierref="r" parameters="#frag"><title>B</title><adlcp:completionThreshold>0.5</adlcp:completionThreshold>
        <imsss:sequencing><imsss:controlMode flow="false" forwardOnly="true"/></imsss:sequencing></item>
    </organization>
  </organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="b%20c.html"/></resources></manifest>`;
    const m = parseScormManifest(xml, new Set(['pkg/b c.html']));
    expect(m.edition).toBe('2004 3rd Edition');
    expect(m.title).toBe('Me');
    const [b] = leaves(m.items);
    expect(b!.completionThreshold).toBe(0.5);
    expect(b!.controlMode).toEqual({ flow: false, forwardOnly: true });
    expect(b!.resource).toMatchObject({
      file: 'pkg/b c.html',
      launch: 'pkg/b%20c.html#frag',
      scormType: 'sco',
    });
  });

  it('detects the version from the namespace when schemaversion is missing', () => {
    const xml = m12(
      '<item identifier="i" identifierref="r"><title>I</title></item>',
      '<resource identifier="r" adlcp:scormtype="sco" href="a.html"/>',
    ).replace(/<metadata>.*<\/metadata>/, '');
    expect(parseScormManifest(xml, new Set(['a.html'])).version).toBe('scorm12');
  });

  it('joins parameters the IMS way', () => {
    expect(withParameters('a.html', '?x=1')).toBe('a.html?x=1');
    expect(withParameters('a.html?y=2', '?x=1')).toBe('a.html?y=2&x=1');
    expect(withParameters('a.html', '&x=1')).toBe('a.html?x=1');
    expect(withParameters('a.html#top', 'x=1')).toBe('a.html?x=1#top');
    expect(withParameters('a.html', '#p2')).toBe('a.html#p2');
  });

  it.each([
    ['malformed XML', '<manifest><organizations>', /malformed XML at line/],
    [
      'an item pointing to a missing resource',
      m12('<item identifier="i" identifierref="nope"><title>I</title></item>', ''),
      /item "i": points to resource "nope", which is not in <resources>/,
    ],
    [
      'a launch file not in the zip',
      m12(
        '<item identifier="i" identifierref="r"><title>I</title></item>',
        '<resource identifier="r" adlcp:scormtype="sco" href="missing.html"/>',
      ),
      /launch file "missing.html" \(resource "r"\) is not in the zip/,
    ],
    [
      'a launch URL on another site',
      m12(
        '<item identifier="i" identifierref="r"><title>I</title></item>',
        '<resource identifier="r" adlcp:scormtype="sco" href="http://example.com/x.html"/>',
      ),
      /not a file in the package/,
    ],
    [
      'a masteryscore that is not a number',
      m12(
        '<item identifier="i" identifierref="r"><title>I</title><adlcp:masteryscore>lots</adlcp:masteryscore></item>',
        '<resource identifier="r" adlcp:scormtype="sco" href="a.html"/>',
      ),
      /masteryscore: "lots" is not a number from 0 to 100/,
    ],
    ['no organization', m12('', '').replace(/<organization .*<\/organization>/, ''), /no <organization>/],
  ])('refuses %s, naming it', (_what, xml, message) => {
    expect(() => parseScormManifest(xml, new Set(['a.html']))).toThrow(message);
  });
});

describe('SCORM package as a course', () => {
  it('prepares a 2004 package: id and version from the manifest, modules from clusters, every file served', async () => {
    const zip = await ZipSource.open(
      zipFolder(join(SCORM_FIXTURES, 'scorm2004-multi'), join(tmp, 'multi.zip')),
    );
    try {
      const p = prepareScormCourse(zip);
      expect(p).toMatchObject({
        id: 'fixture-scorm2004-multi',
        version: '2.1.0',
        kind: 'scorm2004',
        languages: ['en'],
      });
      expect(p.modules.map((m) => m.id)).toEqual(['module-1', 'ORG#1']);
      expect(p.activities.map((a) => [a.id, a.type, a.moduleId])).toEqual([
        ['sco-brief', 'sco', 'module-1'],
        ['sco-check', 'sco', 'module-1'],
        ['handout', 'sco', 'ORG#1'],
      ]);
      expect(p.files.every((f) => f.served)).toBe(true);
      expect(p.files.find((f) => f.path === 'content/brief.html')).toMatchObject({
        type: 'text/html; charset=utf-8',
        compress: true,
      });
      expect(p.scorm.activities['handout']!.scormType).toBe('asset');
    } finally {
      zip.close();
    }
  });

  it('refuses a zip whose imsmanifest.xml is not at the root, and one without any', async () => {
    const nested = zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 'nested.zip'), {
      prefix: 'pkg/',
    });
    const z1 = await ZipSource.open(nested);
    expect(() => prepareScormCourse(z1)).toThrow(
      /not at the root of the zip \(found "pkg\/imsmanifest.xml"\)/,
    );
    z1.close();
    writeRawZip(join(tmp, 'none.zip'), [{ name: 'index.html', data: '<p>hi</p>' }]);
    const z2 = await ZipSource.open(join(tmp, 'none.zip'));
    expect(() => prepareScormCourse(z2)).toThrow(/imsmanifest.xml: missing/);
    z2.close();
  });
});
