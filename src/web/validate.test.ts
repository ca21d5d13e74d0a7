import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, coreError, defineErrors } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { languageSchema } from '../core/language.js';
import { invalidInput } from '../core/validation.js';
import { errorCatalog, errorText } from './error-text.js';
import { errorMiddleware } from './errors.middleware.js';
import { StaticAssets } from './static-assets.js';
import { loadBrand } from './brand.js';
import { testConfig } from '../core/config.js';
import { sent, sentList, validate } from './validate.js';
import { webError } from './web.errors.js';

const kit = defineErrors({
  seats_full: {
    status: 409,
    en: 'the class {name} has no seat left',
    fr: 'la classe {name} n’a plus de place',
    ar: 'لم يعد في الصف {name} أي مقعد',
  },
});
const catalog = errorCatalog([coreError, webError, kit]);

const traineeSchema = z.object({
  username: z.string().trim().min(2).max(10),
  pin: z.string().regex(/^\d{4,8}$/, 'pinFormat'),
  age: z.coerce.number().int().min(16).optional(),
});

let server: Server;
let base: string;
beforeAll(async () => {
  const app = express();
  const assets = new StaticAssets();
  app.locals['assets'] = assets;
  app.locals['brand'] = loadBrand(testConfig({ installSampleCourses: false }), assets);
  // The reader's language, as the session middleware sets it on the box.
  app.use((req, res, next) => {
    res.locals.lang = languageSchema.catch('en').parse(req.headers['x-lang']);
    res.locals.csrfToken = 't';
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '1kb', parameterLimit: 5 }));
  const add = validate(traineeSchema, {
    invalid: (f, _req, res) => {
      res.json({ rerendered: true, values: f.values, fields: f.fields });
    },
  });
  app.post('/form', add, (_req, res) => {
    const input = add.input(res);
    res.json({ ok: input.username, age: input.age ?? null });
  });
  const api = validate(traineeSchema);
  app.post('/api/trainees', express.json({ limit: '1kb' }), api, (_req, res) => {
    res.json({ ok: api.input(res).username });
  });
  const plain = validate(traineeSchema);
  app.post('/plain', plain, (_req, res) => {
    res.json({ ok: plain.input(res).username });
  });
  app.get('/full', () => {
    throw kit('seats_full', { name: 'B2' });
  });
  app.use(errorMiddleware(silentLogger, catalog));
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const form = (body: Record<string, string>) =>
  fetch(`${base}/form`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });

describe('validate(schema)', () => {
  it('hands the handler the parsed, typed input', async () => {
    const r = await form({ username: '  awa ', pin: '1234', age: '30' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: 'awa', age: 30 });
  });

  it('re-renders a page form with the typed values and a message key per field, answered 400', async () => {
    const r = await form({ username: 'a', pin: '12x', age: '3', _csrf: 't' });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      rerendered: true,
      values: { username: 'a', pin: '12x', age: '3' },
      fields: [
        { field: 'username', key: 'tooShort', params: { min: 2 } },
        { field: 'pin', key: 'pinFormat' },
        { field: 'age', key: 'tooSmall', params: { min: 16 } },
      ],
    });
  });

  it('answers JSON 400 on /api, naming each field in English', async () => {
    const r = await fetch(`${base}/api/trainees`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'awa' }),
    });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid');
    expect(body.error.message).toBe('pin: required: fill it in');
  });
});

describe('body-parser failures', () => {
  it('malformed JSON is 400 and a too large body 413, never 500', async () => {
    const bad = await fetch(`${base}/api/trainees`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    const big = await fetch(`${base}/api/trainees`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x'.repeat(5000) }),
    });
    expect(big.status).toBe(413);
  });

  it('too many form fields is 400; an unsupported charset 415', async () => {
    const many = await form(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'x'])));
    expect(many.status).toBe(400);
    const charset = await fetch(`${base}/form`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' },
      body: 'username=awa',
    });
    expect(charset.status).toBe(415);
  });
});

describe("error codes on pages, in the reader's language", () => {
  const page = (path: string, lang: string) =>
    fetch(`${base}${path}`, { headers: { accept: 'text/html', 'x-lang': lang } });

  it("shows a code's catalog text with its params in French and in Arabic (RTL)", async () => {
    const fr = await page('/full', 'fr');
    expect(fr.status).toBe(409);
    const frHtml = await fr.text();
    expect(frHtml).toContain('la classe B2 n’a plus de place');
    expect(frHtml).toContain('lang="fr"');
    const ar = await page('/full', 'ar');
    const arHtml = await ar.text();
    expect(arHtml).toContain('لم يعد في الصف B2 أي مقعد');
    expect(arHtml).toMatch(/<html[^>]*dir="rtl"/);
    expect(arHtml).not.toContain('has no seat left');
  });

  it('a page form without its own renderer gets an error page saying each problem in the language, no code name', async () => {
    const r = await fetch(`${base}/plain`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'x-lang': 'fr' },
      body: 'username=awa&pin=1',
    });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('>le code PIN doit avoir 4 à 8 chiffres<');
    expect(html).not.toContain('pin:');
    expect(html).not.toContain('PIN must be');
  });

  it('errorText: field issues and codes in fr and ar; unknown codes have no text', () => {
    const e = kit('seats_full', { name: 'A1' });
    expect(e.status).toBe(409);
    expect(e.message).toBe('the class A1 has no seat left');
    expect(errorText(e, 'fr', catalog)).toBe('la classe A1 n’a plus de place');
    expect(errorText(e, 'ar', catalog)).toBe('لم يعد في الصف A1 أي مقعد');
    const parsed = traineeSchema.safeParse({ username: 'awa', pin: 'x' });
    if (parsed.success) throw new Error('should not parse');
    const err = invalidInput(parsed.error);
    expect(err.message).toBe('pin: PIN must be 4 to 8 digits');
    expect(errorText(err, 'fr', catalog)).toBe('pin: le code PIN doit avoir 4 à 8 chiffres');
    expect(errorText(err, 'ar', catalog)).toBe('pin: يجب أن يتكون الرمز السري من 4 إلى 8 أرقام');
    expect(errorText(new AppError('nope', 'x'), 'fr', catalog)).toBeUndefined();
  });

  it('refuses two kits that define one code differently', () => {
    const other = defineErrors({ seats_full: { status: 400, en: 'x', fr: 'x', ar: 'x' } });
    expect(() => errorCatalog([kit, other])).toThrow(/defined twice/);
  });

  it('sent / sentList: what was sent, cut to size, never a refusal (the handler judges it)', () => {
    const form = z.object({ username: sent(5), box: sentList(3) });
    expect(form.parse({ username: 'abcdefgh', box: ['one', '', 7, 'two'] })).toEqual({
      username: 'abcde',
      box: ['one', 'two'],
    });
    expect(form.parse({ username: ['a', 'b'], box: 'x' })).toEqual({ username: '', box: ['x'] });
    expect(form.parse({})).toEqual({ username: '', box: [] });
  });
});
