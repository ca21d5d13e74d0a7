import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { HqRecordsService } from './hq-records.service.js';

/** Where an HQ-exported statement came from (kept so an LRS can trace it back to a box). */
export const HQ_EXT = {
  applianceId: 'urn:fieldclass:ext:appliance-id',
  epoch: 'urn:fieldclass:ext:epoch',
  sequence: 'urn:fieldclass:ext:sequence',
  localPersonId: 'urn:fieldclass:ext:local-person-id',
  externalId: 'urn:fieldclass:ext:external-id',
  agency: 'urn:fieldclass:ext:agency',
} as const;

/**
 * Imported statements as xAPI NDJSON for an external Learning Record Store, in (appliance, epoch, seq)
 * order. The actor becomes the resolved person: an account on HQ's home page named by HQ's person id
 * (what HQ counts as one person: two boxes claiming one external id are two people until HQ staff merge
 * them); the box's external id and agency go in context extensions. Held-out rows are not exported.
 * Streams: one statement in memory at a time.
 */
export class XapiExportService {
  constructor(
    private readonly records: HqRecordsService,
    private readonly homePage: string,
  ) {}

  async write(out: Writable): Promise<number> {
    let n = 0;
    let currentNo = -1;
    let people = new Map<string, { personId: string; externalId: string | null; agency: string | null }>();
    for (const row of this.records.statements()) {
      if (row.appliance_no !== currentNo) {
        currentNo = row.appliance_no;
        people = new Map(
          this.records
            .peopleOf(currentNo)
            .map((p) => [p.local_id, { personId: p.person_id, externalId: p.external_id, agency: p.agency }]),
        );
      }
      const s = JSON.parse(row.body) as {
        actor?: { name?: string; account?: { name?: string } };
        context?: { extensions?: Record<string, unknown> };
      };
      const localId = s.actor?.account?.name ?? '';
      const who = people.get(localId);
      s.actor = {
        ...(s.actor?.name ? { name: s.actor.name } : {}),
        objectType: 'Agent',
        account: { homePage: this.homePage, name: who?.personId ?? localId },
      } as typeof s.actor;
      s.context = {
        ...s.context,
        extensions: {
          ...s.context?.extensions,
          [HQ_EXT.applianceId]: row.appliance_id,
          [HQ_EXT.epoch]: row.epoch,
          [HQ_EXT.sequence]: row.seq,
          [HQ_EXT.localPersonId]: localId,
          ...(who?.externalId ? { [HQ_EXT.externalId]: who.externalId } : {}),
          ...(who?.agency ? { [HQ_EXT.agency]: who.agency } : {}),
        },
      };
      if (!out.write(JSON.stringify(s) + '\n')) await once(out, 'drain');
      n++;
    }
    return n;
  }
}
