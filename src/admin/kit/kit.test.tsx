import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { defineMessages, mergeMessages } from '../../web/i18n.js';
import { tAdmin } from '../admin.messages.js';
import { tBackups } from '../backups/backups.messages.js';
import { Field, valueOf, type FormState } from './form.js';
import { DataTable } from './table.js';
import { vocab, verbLabel } from './widgets.js';

/** The admin kit on its own: what every area's pages are built from, rendered without a server. */
describe('the admin kit', () => {
  it('DataTable: headings, numbers marked for end alignment, left-to-right cells, row classes', () => {
    const html = render(
      <DataTable
        rows={[
          { name: 'records-000001.db', bytes: 4096, bad: false },
          { name: 'records-000002.db', bytes: 0, bad: true },
        ]}
        columns={[
          { label: 'File', kind: 'ltr', cell: (r) => r.name },
          { label: 'Size', kind: 'num', cell: (r) => r.bytes },
        ]}
        rowClass={(r) => (r.bad ? 'bad' : undefined)}
        caption="Backups"
      />,
    );
    expect(html).toContain('<div class="table-wrap">');
    expect(html).toContain('<caption class="sr-only">Backups</caption>');
    expect(html).toContain('<th>File</th><th class="num">Size</th>');
    expect(html).toContain('<td class="ltr">records-000001.db</td><td class="num">4096</td>');
    expect(html).toMatch(/<tr class="bad"><td class="ltr">records-000002\.db<\/td>/);
    // A table of buttons only (every label empty) has no heading row.
    const bare = render(<DataTable rows={[1]} columns={[{ label: '', cell: (n) => n }]} />);
    expect(bare).not.toContain('<thead>');
  });

  it('Field: a refused field says why in the reader’s language, linked to the control, the typed value kept', () => {
    const form: FormState = {
      values: { pin: '12a' },
      fields: [{ field: 'pin', key: 'pinFormat' }],
    };
    const field = (lang: 'fr' | 'ar') =>
      render(
        <Field page={{ lang }} form={form} name="pin" label="PIN" hint="4-8">
          {(a) => <input name="pin" value={valueOf(form, 'pin', '0000')} {...a} />}
        </Field>,
      );
    const fr = field('fr');
    expect(fr).toContain('le code PIN doit avoir 4 à 8 chiffres');
    expect(fr).toContain('aria-invalid="true"');
    expect(fr).toContain('aria-describedby="pin-error pin-hint"');
    expect(fr).toContain('<p class="field-error" id="pin-error">');
    expect(fr).toContain('value="12a"');
    expect(field('ar')).toContain('يجب أن يتكون الرمز السري من 4 إلى 8 أرقام');
    // Not refused: no message, no aria-invalid, the stored value.
    const fresh = render(
      <Field page={{ lang: 'en' }} form={undefined} name="pin" label="PIN">
        {(a) => <input name="pin" value={valueOf(undefined, 'pin', '0000')} {...a} />}
      </Field>,
    );
    expect(fresh).not.toContain('aria-invalid');
    expect(fresh).not.toContain('field-error');
    expect(fresh).toContain('value="0000"');
  });

  it('vocab: a job, a bundle state, a verb in the reader’s language; an unknown value as stored', () => {
    expect(vocab({ lang: 'fr' }, 'job', 'backup')).toBe('Sauvegarde');
    expect(vocab({ lang: 'ar' }, 'bundle', 'acknowledged')).toBe('استلمه المقر');
    expect(vocab({ lang: 'en' }, 'job', 'made-up-job')).toBe('made-up-job');
    expect(verbLabel({ lang: 'fr' }, 'http://adlnet.gov/expapi/verbs/passed')).not.toBe('passed');
    expect(verbLabel({ lang: 'en' }, 'http://example.com/verbs/odd')).toBe(tAdmin('en', 'verb_other'));
  });

  it('the catalog: every area’s strings and the kit’s in one key space; a key defined twice is refused', () => {
    expect(tAdmin('fr', 'backupHint')).toBe(tBackups('fr', 'backupHint'));
    expect(tAdmin('ar', 'navBackups')).toBeTruthy();
    const a = defineMessages({ en: { one: 'one' }, fr: { one: 'un' }, ar: { one: 'واحد' } });
    const b = defineMessages({ en: { one: 'uno' }, fr: { one: 'un' }, ar: { one: 'واحد' } });
    expect(() => mergeMessages(a, b)).toThrow(/one is defined twice/);
  });
});
