import { parse } from 'csv-parse/sync';
import { fieldIssues, fieldText } from '../core/validation.js';
import { peopleError } from './people.errors.js';
import type { RecordsService } from '../records/records.service.js';
import type { CohortService } from './cohorts.service.js';
import type { PeopleService } from './people.service.js';
import { genderSchema, newTraineeSchema, usernameKey } from './people.schema.js';
import type { Gender, Person } from './people.types.js';
import { hashSecret } from './secret.js';
import { languageSchema, type Language } from '../core/config.js';
import { decodeSpreadsheetText, excelCsv, type CsvEncoding, type CsvSeparator } from '../core/csv.js';

/** The fields a trainee CSV may hold, and the header names (any case, spaces or underscores) they go by. */
const COLUMNS = {
  username: ['username', 'user', 'login', 'identifiant', "nom d'utilisateur", 'اسم المستخدم'],
  pin: ['pin', 'code', 'code pin', 'الرمز'],
  displayName: ['name', 'display name', 'displayname', 'full name', 'nom', 'الاسم'],
  externalId: ['external id', 'externalid', 'officer number', 'matricule', 'id', 'الرقم الوظيفي'],
  agency: ['agency', 'unit', 'agence', 'service', 'الجهة'],
  gender: ['gender', 'sex', 'genre', 'sexe', 'الجنس'],
  language: ['language', 'lang', 'langue', 'اللغة'],
} as const;
type Field = keyof typeof COLUMNS;

const GENDERS: Record<string, Gender> = {
  f: 'female',
  female: 'female',
  femme: 'female',
  m: 'male',
  male: 'male',
  homme: 'male',
  h: 'male',
  other: 'other',
  autre: 'other',
  undisclosed: 'undisclosed',
  'non précisé': 'undisclosed',
  x: 'undisclosed',
};

export type CsvProblemCode =
  | 'fieldCount'
  | 'badGender'
  | 'badLanguage'
  | 'missingUsername'
  | 'missingPin'
  | 'badUsername'
  | 'badPin'
  | 'badField'
  | 'duplicateInFile'
  | 'exists';

export interface CsvProblem {
  code: CsvProblemCode;
  values: Record<string, string | number>;
}

/** One row of the file after checking: what would be written, or why it cannot be. */
export interface CsvRow {
  /** The line the row starts on in the file (1 = the header). */
  line: number;
  username: string;
  displayName: string;
  externalId: string | null;
  agency: string | null;
  gender: Gender | null;
  language: Language | null;
  pin: string;
  /** In English (CLI, logs). */
  errors: string[];
  /** The same problems as codes with values, for pages in the coordinator's language. */
  problems: CsvProblem[];
}

/** Problems with a file as a whole, as codes (pages translate them) with values. */
export type CsvFileProblemCode =
  | 'notText'
  | 'saveAsUtf8'
  | 'notCsv'
  | 'empty'
  | 'noUsernameColumn'
  | 'noPinColumn'
  | 'tooManyRows'
  | 'noRows'
  | 'noFile';

export interface CsvFileProblem {
  code: CsvFileProblemCode;
  values: Record<string, string | number>;
}

export interface CsvPreview {
  delimiter: ',' | ';';
  /** How the bytes were read (null when they could not be). */
  encoding: CsvEncoding | null;
  columns: Field[];
  rows: CsvRow[];
  /** Rows with nothing in them (Excel writes `;;;;;;` for rows once formatted): skipped, counted. */
  skippedEmpty: number;
  /** Problems with the file as a whole (no username column, empty file...), in English (CLI, logs). */
  fileErrors: string[];
  /** The same problems as codes with values, for pages in the coordinator's language. */
  fileProblems: CsvFileProblem[];
  valid: number;
  invalid: number;
}

const FILE_PROBLEMS: Record<CsvFileProblemCode, (v: Record<string, string | number>) => string> = {
  notText: () => 'the file is not a CSV text file (was a spreadsheet .xlsx sent?)',
  saveAsUtf8: () =>
    'the file is not in UTF-8 and its letters cannot be read safely: in Excel, save it as "CSV UTF-8 (comma delimited)"',
  notCsv: (v) => `the file is not valid CSV${v['line'] ? ` (line ${v['line']})` : ''}`,
  empty: () => 'the file is empty',
  noUsernameColumn: () => 'no "username" column in the first line',
  noPinColumn: () => 'no "pin" column in the first line',
  tooManyRows: (v) => `too many rows: ${v['n']} (at most ${v['max']})`,
  noRows: () => 'the file has a header but no trainees',
  noFile: () => 'no file was sent',
};

/** The preview of a form sent without a file: nothing to import, said as a file problem. */
export function filelessPreview(): CsvPreview {
  return {
    delimiter: ',',
    encoding: null,
    columns: [],
    rows: [],
    skippedEmpty: 0,
    fileErrors: [FILE_PROBLEMS.noFile({})],
    fileProblems: [{ code: 'noFile', values: {} }],
    valid: 0,
    invalid: 0,
  };
}

const MAX_ROWS = 20_000;
/** Lines a record takes: the new lines inside its quoted fields, plus its own line end (not in `raw`). */
const newlines = (raw: string): number => {
  let n = 1;
  for (let i = raw.indexOf('\n'); i !== -1; i = raw.indexOf('\n', i + 1)) n++;
  return n;
};
const norm = (h: string) =>
  h
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');

/** `,` or `;`, whichever separates more fields in the header line (Excel in French writes `;`). */
function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semis = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semis++;
  }
  return semis > commas ? ';' : ',';
}

/**
 * Read a trainee CSV as Excel writes it: UTF-8 with or without BOM, `,` or `;`, quoted fields that may
 * hold the separator or new lines. Checks every row (format, duplicates within the file and against the
 * trainees already on the box) and returns the whole preview; writes nothing.
 */
export function previewTraineeCsv(
  input: Buffer | string,
  exists: (usernameKey: string) => boolean,
): CsvPreview {
  const fileProblems: CsvFileProblem[] = [];
  const result = (
    delimiter: ',' | ';',
    encoding: CsvEncoding | null,
    columns: Field[],
    rows: CsvRow[],
    skippedEmpty: number,
  ): CsvPreview => {
    const invalid = rows.filter((r) => r.errors.length).length;
    return {
      delimiter,
      encoding,
      columns,
      rows,
      skippedEmpty,
      fileErrors: fileProblems.map((p) => FILE_PROBLEMS[p.code](p.values)),
      fileProblems,
      valid: rows.length - invalid,
      invalid,
    };
  };
  const decoded =
    typeof input === 'string'
      ? { text: input.charCodeAt(0) === 0xfeff ? input.slice(1) : input, encoding: 'utf-8' as const }
      : decodeSpreadsheetText(input);
  if ('problem' in decoded) {
    fileProblems.push({ code: decoded.problem, values: {} });
    return result(',', null, [], [], 0);
  }
  const { text, encoding } = decoded;
  const delimiter = detectDelimiter(text);
  let parsed: { record: string[]; raw: string }[];
  try {
    parsed = parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      raw: true,
      max_record_size: 64 * 1024,
    }) as unknown as { record: string[]; raw: string }[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    fileProblems.push({ code: 'notCsv', values: err.lines ? { line: err.lines } : {} });
    return result(delimiter, encoding, [], [], 0);
  }
  // Lines as a spreadsheet user counts them: a quoted field may span several lines. Rows with nothing in
  // them (blank lines, or only separators) are skipped and counted, before and after the header.
  const records: { record: string[]; line: number }[] = [];
  let skippedEmpty = 0;
  let nextLine = 1;
  for (const { record, raw } of parsed) {
    const line = nextLine;
    nextLine += newlines(raw);
    if (record.every((f) => f.trim() === '')) skippedEmpty++;
    else records.push({ record, line });
  }
  const header = records.shift();
  if (!header) {
    fileProblems.push({ code: 'empty', values: {} });
    return result(delimiter, encoding, [], [], skippedEmpty);
  }
  const index = new Map<Field, number>();
  header.record.forEach((h, i) => {
    const n = norm(h);
    for (const [field, names] of Object.entries(COLUMNS) as [Field, readonly string[]][]) {
      if (names.includes(n) && !index.has(field)) index.set(field, i);
    }
  });
  if (!index.has('username')) fileProblems.push({ code: 'noUsernameColumn', values: {} });
  if (!index.has('pin')) fileProblems.push({ code: 'noPinColumn', values: {} });
  if (records.length > MAX_ROWS)
    fileProblems.push({ code: 'tooManyRows', values: { n: records.length, max: MAX_ROWS } });
  if (fileProblems.length) return result(delimiter, encoding, [...index.keys()], [], skippedEmpty);

  const seen = new Map<string, number>();
  const rows: CsvRow[] = [];
  for (const { record, line } of records) {
    const get = (f: Field) => {
      const i = index.get(f);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };
    const errors: string[] = [];
    const problems: CsvProblem[] = [];
    const add = (code: CsvProblemCode, values: Record<string, string | number>, english: string) => {
      problems.push({ code, values });
      errors.push(english);
    };
    if (record.length > header.record.length)
      add(
        'fieldCount',
        { n: record.length, expected: header.record.length },
        `${record.length} fields where the header has ${header.record.length}`,
      );
    const username = get('username');
    const pin = get('pin');
    const g = get('gender').toLowerCase();
    let gender: Gender | null = null;
    if (g) {
      const mapped = GENDERS[g] ?? (genderSchema.safeParse(g).success ? (g as Gender) : undefined);
      if (mapped) gender = mapped;
      else
        add(
          'badGender',
          { value: get('gender') },
          `gender "${get('gender')}" is not one of female, male, other, undisclosed`,
        );
    }
    const l = get('language').toLowerCase();
    let language: Language | null = null;
    if (l) {
      const r = languageSchema.safeParse(l);
      if (r.success) language = r.data;
      else
        add(
          'badLanguage',
          { value: get('language') },
          `language "${get('language')}" is not one of en, fr, ar`,
        );
    }
    const checked = newTraineeSchema.safeParse({
      username,
      pin,
      displayName: get('displayName'),
      externalId: get('externalId'),
      agency: get('agency'),
    });
    if (!username) add('missingUsername', {}, 'username is missing');
    if (!pin) add('missingPin', {}, 'PIN is missing');
    if (!checked.success)
      for (const issue of fieldIssues(checked.error)) {
        const field = issue.field.split('.')[0] ?? '';
        if ((field === 'username' && !username) || (field === 'pin' && !pin)) continue;
        const text = fieldText(issue, 'en');
        if (field === 'pin') add('badPin', {}, text);
        else if (field === 'username') add('badUsername', { value: username }, text);
        else add('badField', { field }, `${field}: ${text}`);
      }
    if (username) {
      const key = usernameKey(username);
      const first = seen.get(key);
      if (first !== undefined)
        add(
          'duplicateInFile',
          { value: username, line: first },
          `username "${username}" is also on line ${first}`,
        );
      else seen.set(key, line);
      if (exists(key))
        add('exists', { value: username }, `username "${username}" already exists on this box`);
    }
    rows.push({
      line,
      username,
      displayName: get('displayName') || username,
      externalId: get('externalId') || null,
      agency: get('agency') || null,
      gender,
      language,
      pin,
      errors,
      problems,
    });
  }
  if (!rows.length) fileProblems.push({ code: 'noRows', values: {} });
  return result(delimiter, encoding, [...index.keys()], rows, skippedEmpty);
}

/**
 * Import a checked CSV: nothing is written unless every row is valid; then every trainee (and their
 * cohort membership) is written in ONE transaction. PINs are hashed first, outside the transaction.
 */
export async function importTraineeCsv(
  deps: { people: PeopleService; records: RecordsService; cohorts: CohortService },
  input: Buffer | string,
  opts: { cohortId?: string | null } = {},
): Promise<{ preview: CsvPreview; created: Person[] }> {
  const preview = previewTraineeCsv(input, (k) => deps.people.byUsername(k) !== undefined);
  if (preview.fileErrors.length || preview.invalid > 0)
    throw peopleError('csv_invalid', { detail: csvProblems(preview) }, { preview });
  if (opts.cohortId) deps.cohorts.require(opts.cohortId);
  const hashes = await Promise.all(preview.rows.map((r) => hashSecret(r.pin, 'pin')));
  const created = deps.records.writeNow(() => {
    const people = preview.rows.map((r, i) =>
      deps.people.insert(
        'trainee',
        {
          username: r.username,
          displayName: r.displayName,
          externalId: r.externalId,
          agency: r.agency,
          gender: r.gender,
          language: r.language,
        },
        hashes[i]!,
      ),
    );
    if (opts.cohortId)
      deps.cohorts.addMembersTx(
        opts.cohortId,
        people.map((p) => p.id),
      );
    return people;
  });
  return { preview, created };
}

/** Every problem of a preview, one per line (CLI and error messages). */
export function csvProblems(p: CsvPreview): string {
  return [
    ...p.fileErrors,
    ...p.rows.filter((r) => r.errors.length).map((r) => `line ${r.line}: ${r.errors.join('; ')}`),
  ].join('\n');
}

/** The one CSV writer (core/csv.ts); re-exported for the admin's existing imports. */
export { excelCsv };

/** Every trainee as CSV, in the same columns the import reads (without PINs). */
export function exportTraineesCsv(people: PeopleService, opts: { separator?: CsvSeparator } = {}): Buffer {
  const rows: (string | null)[][] = [];
  const page = 1000;
  for (let offset = 0; ; offset += page) {
    const { rows: batch } = people.search({ role: 'trainee', includeInactive: true, limit: page, offset });
    for (const p of batch)
      rows.push([
        p.username,
        p.displayName,
        p.externalId,
        p.agency,
        p.gender,
        p.language,
        p.active ? 'yes' : 'no',
        p.createdAt,
      ]);
    if (batch.length < page) break;
  }
  return excelCsv(
    ['username', 'name', 'external id', 'agency', 'gender', 'language', 'active', 'created'],
    rows,
    opts,
  );
}
