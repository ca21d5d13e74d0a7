import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { ApplianceStatus } from './appliances.service.js';
import { explainGaps, gapsOf } from './appliances.service.js';
import { DashboardPage, type HqPage } from './hq.pages.js';

const imports = [1, 3, 4].map((b) => ({
  appliance_no: 1,
  epoch: 1,
  bundle_seq: b === 1 ? 1 : b + 1,
  sha256: 'x',
  prev_sha256: null,
  from_seq: b === 1 ? 1 : b * 100,
  to_seq: b === 1 ? 100 : b * 100 + 99,
  rows_total: 100,
  imported_at: '2026-03-01T08:00:00.000Z',
  outcome: 'imported' as const,
}));

describe('the Appliances page names a gap and the way out, in the staff member’s language', () => {
  const id = 'abcdef12-0000-4000-8000-000000000000';
  const gaps = explainGaps(
    id,
    gapsOf(imports.map((i) => ({ fromSeq: i.from_seq, toSeq: i.to_seq }))),
    imports,
  );
  const status = {
    id,
    name: 'Box A',
    location: 'Dakar',
    gaps,
    forks: [],
    held: { duplicate: 0, fork: 0, otherAppliance: 0 },
    revocation: null,
  } as unknown as ApplianceStatus;
  const page = (lang: HqPage['lang']): string =>
    render(
      <DashboardPage
        page={{
          lang,
          languages: ['en', 'fr', 'ar'],
          csrf: 'x',
          cssUrl: '/x.css',
          path: '/',
          timeZone: 'UTC',
        }}
        appliances={[status]}
      />,
    );

  it('rows 101-299 are missing: bundles 2 to 3 never arrived, and the command to write them again', () => {
    expect(gaps).toEqual([
      {
        fromSeq: 101,
        toSeq: 299,
        bundles: {
          epoch: 1,
          fromBundle: 2,
          toBundle: 3,
          firstFile: 'fieldclass-abcdef12-e1-b000002.zip',
          lastFile: 'fieldclass-abcdef12-e1-b000003.zip',
        },
        command: 'fieldclass bundle export --since-sequence 101 --out <stick>',
      },
    ]);
    const en = page('en');
    expect(en).toContain('Missing rows 101–299.');
    expect(en).toContain('Bundles 2 to 3 never arrived:');
    expect(en).toContain('fieldclass-abcdef12-e1-b000002.zip');
    expect(en).toContain('fieldclass bundle export --since-sequence 101 --out &lt;stick>');
    expect(page('fr')).toContain('Les lots 2 à 3 ne sont jamais arrivés');
    const ar = page('ar');
    expect(ar).toContain('لم تصل الحزم من 2 إلى 3');
    expect(ar).toContain('<bdi dir="ltr"><code>fieldclass bundle export');
  });
});
