import { newToken } from '../../core/ids.js';
import { isAppError } from '../../core/errors.js';
import type { CohortService } from '../../people/cohorts.service.js';
import {
  csvProblems,
  filelessPreview,
  importTraineeCsv,
  previewTraineeCsv,
  type CsvPreview,
} from '../../people/csv-import.js';
import { peopleError } from '../../people/people.errors.js';
import type { PeopleService } from '../../people/people.service.js';
import type { Person } from '../../people/people.types.js';
import type { RecordsService } from '../../records/records.service.js';
import { adminError } from '../admin.errors.js';

/** A checked file kept between "check" and "import" (in memory: a restart means uploading it again). */
interface PendingImport {
  data: Buffer;
  by: string;
  at: number;
}

/** How long a checked file waits for its "import" (then it is checked again from a new upload). */
const KEEP_MS = 30 * 60_000;

/**
 * The admin's trainee CSV import in two steps: check (a preview of every row; a file with no problem is
 * kept under a token for the coordinator who sent it) then import (all rows in one transaction, or none).
 */
export class TraineeImportService {
  private readonly pending = new Map<string, PendingImport>();

  constructor(
    private readonly deps: { people: PeopleService; records: RecordsService; cohorts: CohortService },
    private readonly now: () => number = Date.now,
  ) {}

  /** Check a file (none sent: a preview saying so). A clean file is kept; its token imports it. */
  check(data: Buffer | undefined, by: string): { preview: CsvPreview; token?: string } {
    if (!data) return { preview: filelessPreview() };
    const preview = previewTraineeCsv(data, (k) => this.deps.people.byUsername(k) !== undefined);
    if (preview.invalid || preview.fileErrors.length) return { preview };
    const at = this.now();
    for (const [k, v] of this.pending) if (at - v.at > KEEP_MS) this.pending.delete(k);
    const token = newToken(18);
    this.pending.set(token, { data, by, at });
    return { preview, token };
  }

  /**
   * Import the file kept under `token` (only for the coordinator who checked it). When someone added one
   * of its usernames since the check, nothing is written and the new problems are the error. The admin
   * route runs this under the confirm form's operation id (AdminKit.once): a double click imports once and
   * the repeat gets the first outcome, not "this check has expired".
   */
  async confirm(token: string, by: string, cohortId: string | null): Promise<Person[]> {
    const pending = this.pending.get(token);
    if (!pending || pending.by !== by || this.now() - pending.at > KEEP_MS)
      throw adminError('import_expired');
    try {
      const r = await importTraineeCsv(this.deps, pending.data, { cohortId });
      this.pending.delete(token);
      return r.created;
    } catch (e) {
      if (isAppError(e) && e.code === 'csv_invalid') {
        this.pending.delete(token);
        throw peopleError('csv_invalid', {
          detail: csvProblems(e.details!['preview'] as CsvPreview).slice(0, 380),
        });
      }
      throw e;
    }
  }
}
