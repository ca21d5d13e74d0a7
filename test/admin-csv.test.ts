import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewTraineeCsv } from '../src/people/csv-import.js';
import { Browserless } from './helpers/http.js';
import { adminServer, coordinatorClient, postFile, type AdminServer } from './admin-helpers.js';

const BOM = '\ufeff';

/** A file as a tired clerk's Excel saves it: BOM, semicolons, CRLF, quoted fields, and many mistakes. */
const MISTAKES = [
  'Username;PIN;Name;External ID;Agency;Gender;Language',
  'awa;1234;Awa Diallo;OF-1;Police;F;fr', // line 2: fine on its own, but "awa" exists on the box
  'brahim;12;Brahim;OF-2;Police;male;en', // line 3: PIN too short
  'chen;5678;"Chen; Li";OF-3;"Customs ""East""";robot;en', // line 4: bad gender
  ';9999;No Username;OF-4;Police;female;ar', // line 5: missing username
  'dina;1111;"Dina\nHaddad";OF-5;Police;female;ar', // lines 6-7: a quoted name across two lines (Alt+Enter), fine
  'DINA;2222;Dina again;OF-6;Police;female;fr', // line 8: same username as line 6 (case-insensitive)
  'eve;abcd;Eve;OF-7;Police;undisclosed;de', // line 9: PIN not digits, language unknown
  'fatou;4321;Fatou;OF-8;Police;;', // line 10: fine
].join('\r\n');

describe('trainee CSV import: every mistake shown per row, nothing written', () => {
  let s: AdminServer;
  let coord: Browserless;
  beforeAll(async () => {
    s = await adminServer();
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    await s.ctx.people.addTrainee({ username: 'Awa', pin: '1234' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => s.cleanup());

  it('finds each row’s errors (BOM, semicolons, quoted fields with new lines)', () => {
    const p = previewTraineeCsv(Buffer.from(BOM + MISTAKES), (k) => s.ctx.people.byUsername(k) !== undefined);
    expect(p.delimiter).toBe(';');
    expect(p.fileErrors).toEqual([]);
    const byLine = new Map(p.rows.map((r) => [r.line, r]));
    expect([...byLine.keys()]).toEqual([2, 3, 4, 5, 6, 8, 9, 10]);
    expect(byLine.get(2)!.errors).toEqual(['username "awa" already exists on this box']);
    expect(byLine.get(2)!.gender).toBe('female');
    expect(byLine.get(3)!.errors).toEqual(['PIN must be 4 to 8 digits']);
    expect(byLine.get(4)!.errors).toEqual(['gender "robot" is not one of female, male, other, undisclosed']);
    expect(byLine.get(4)!.displayName).toBe('Chen; Li');
    expect(byLine.get(4)!.agency).toBe('Customs "East"');
    expect(byLine.get(5)!.errors).toEqual(['username is missing']);
    expect(byLine.get(6)!.errors).toEqual([]);
    expect(byLine.get(6)!.displayName).toBe('Dina\nHaddad');
    expect(byLine.get(8)!.errors).toEqual(['username "DINA" is also on line 6']);
    expect(byLine.get(9)!.errors).toEqual([
      'language "de" is not one of en, fr, ar',
      'PIN must be 4 to 8 digits',
    ]);
    expect(byLine.get(10)!.errors).toEqual([]);
    expect(p.invalid).toBe(6);
    expect(p.valid).toBe(2);
  });

  it('shows the preview page with each row’s errors, offers no import, and writes nothing', async () => {
    const before = {
      people: s.ctx.db.records.prepare('SELECT count(*) FROM people').pluck().get(),
      seq: s.ctx.records.lastSeq(),
    };
    const r = await postFile(coord, '/admin/trainees/import', '/admin/trainees/import', {
      name: 'class.csv',
      data: Buffer.from(BOM + MISTAKES),
    });
    expect(r.status).toBe(422);
    const html = await r.text();
    expect(html).toContain('6 of 8 rows have problems');
    expect(html).toMatch(/data-line="3">.*?PIN must be 4 to 8 digits/s);
    expect(html).toMatch(/data-line="8">.*?username “DINA” is also on line 6/s);
    expect(html).not.toContain('/admin/trainees/import/confirm');
    expect(s.ctx.db.records.prepare('SELECT count(*) FROM people').pluck().get()).toBe(before.people);
    expect(s.ctx.records.lastSeq()).toBe(before.seq);
  });

  it('refuses a file without the needed columns, and an empty file', () => {
    const none = previewTraineeCsv('name,agency\nAwa,Police\n', () => false);
    expect(none.fileErrors).toEqual([
      'no "username" column in the first line',
      'no "pin" column in the first line',
    ]);
    expect(previewTraineeCsv('', () => false).fileErrors).toEqual(['the file is empty']);
    expect(previewTraineeCsv('username,pin\n', () => false).fileErrors).toEqual([
      'the file has a header but no trainees',
    ]);
  });

  it('imports a clean comma file without BOM in one transaction, into a class', async () => {
    const cohort = s.ctx.cohorts.create('Morning class');
    const csv = 'username,pin,name,gender\nzara,1234,Zara,female\nyoussef,5678,"Youssef, Jr",male\n';
    const r = await postFile(
      coord,
      '/admin/trainees/import',
      '/admin/trainees/import',
      { name: 'ok.csv', data: csv },
      { cohortId: cohort.id },
    );
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('2 trainees are ready to import');
    expect(s.ctx.people.byUsername('zara')).toBeUndefined();
    const token = /name="token" value="([^"]+)"/.exec(html)![1]!;
    const form = {
      _csrf: Browserless.csrfOf(html),
      op: Browserless.opOf(html, '/admin/trainees/import/confirm')!,
      token,
      cohortId: cohort.id,
    };
    const confirm = await coord.post('/admin/trainees/import/confirm', form);
    expect(confirm.status).toBe(303);
    expect(confirm.headers.get('location')).toContain('ok=imported');
    expect(s.ctx.people.byUsername('youssef')?.displayName).toBe('Youssef, Jr');
    expect(s.ctx.cohorts.get(cohort.id)?.members).toBe(2);
    // Confirmed again (a double click): the first outcome again, nothing imported twice, no "expired".
    const again = await coord.post('/admin/trainees/import/confirm', form);
    expect(again.headers.get('location')).toBe(confirm.headers.get('location'));
    expect(s.ctx.cohorts.get(cohort.id)?.members).toBe(2);
  });
});
