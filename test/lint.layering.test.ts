import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';

/**
 * The layering of docs/ARCHITECTURE.md is held by the lint run (eslint/layering.mjs): these lint real
 * source text at real paths of src/ with the project's own config, so a forbidden import fails `npm run lint`.
 */
const eslint = new ESLint({ cwd: PACKAGE_ROOT });
// The same config without type information, so that text can stand at paths that do not exist yet.
const untyped = new ESLint({ cwd: PACKAGE_ROOT, overrideConfig: [tseslint.configs.disableTypeChecked] });

async function problems(path: string, code: string, rule = 'fieldclass/layering'): Promise<string[]> {
  const [r] = await untyped.lintText(code, { filePath: `${PACKAGE_ROOT}/${path}` });
  return r!.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}
const sqlProblems = (path: string, code: string) => problems(path, code, 'fieldclass/sql-in-repos');

describe('layering rule (eslint)', () => {
  it('the project config applies it to every file of src/', async () => {
    const config = (await eslint.calculateConfigForFile(`${PACKAGE_ROOT}/src/core/config.ts`)) as {
      rules: Record<string, unknown>;
    };
    expect(config.rules['fieldclass/layering']).toEqual([2]);
  });

  it('refuses a feature in core/, the wiring in a feature, a service in a repo, express in a service', async () => {
    expect(
      await problems('src/core/errors.ts', "import { PeopleService } from '../people/people.service.js';\n"),
    ).toEqual([expect.stringContaining('core/ may import only core/')]);
    expect(
      await problems('src/admin/admin.jobs.ts', "import type { AppContext } from '../app/context.js';\n"),
    ).toEqual([expect.stringContaining('no feature imports the wiring')]);
    expect(
      await problems(
        'src/people/people.repo.ts',
        "import { RecordsService } from '../records/records.service.js';\n",
      ),
    ).toEqual([expect.stringContaining('a repo does not call services')]);
    expect(await problems('src/learning/learning.service.ts', "import express from 'express';\n")).toEqual([
      expect.stringContaining('express is read only in'),
    ]);
    expect(
      await problems('src/web/page.ts', "import type { Person } from '../people/people.types.js';\n"),
    ).toEqual([expect.stringContaining('web/ may import only core/, web/')]);
    expect(
      await problems('src/db/migrate.ts', "import { x } from '../content/content.repo.js';\n"),
    ).toHaveLength(1);
  });

  it('keeps contract/ on core/ only, and lets every feature import it', async () => {
    expect(
      await problems('src/contract/outcomes.ts', "import { AppError } from '../core/errors.js';\n"),
    ).toEqual([]);
    expect(
      await problems('src/contract/outcomes.ts', "import { x } from '../bundles/bundle-format.js';\n"),
    ).toEqual([expect.stringContaining('contract/ may import only core/, contract/')]);
    expect(
      await problems('src/hq/import.service.ts', "import { x } from '../contract/outcomes.js';\n"),
    ).toEqual([]);
  });

  it('refuses SQL outside repos, db/ and migrations', async () => {
    const config = (await eslint.calculateConfigForFile(`${PACKAGE_ROOT}/src/hq/hq-records.service.ts`)) as {
      rules: Record<string, unknown>;
    };
    expect(config.rules['fieldclass/sql-in-repos']).toEqual([2]);
    const prepare = "export const n = (db: any) => db.prepare('SELECT count(*) FROM journal').get();\n";
    const exec = 'export const clear = (db: any) => db.exec(`DELETE FROM progress; DELETE FROM ratings;`);\n';
    expect(await sqlProblems('src/learning/learning.service.ts', prepare)).toEqual([
      expect.stringContaining('SQL only in repos and migrations: move this .prepare()'),
    ]);
    expect(await sqlProblems('src/hq/hq-records.service.ts', exec)).toEqual([
      expect.stringContaining('move this .exec()'),
    ]);
    expect(await sqlProblems('src/cli/doctor.command.ts', prepare)).toHaveLength(1);
    // Where SQL belongs, and RegExp#exec anywhere.
    expect(await sqlProblems('src/learning/learning.repo.ts', prepare + exec)).toEqual([]);
    expect(await sqlProblems('src/db/migrations/records.ts', exec)).toEqual([]);
    expect(await sqlProblems('src/db/inspect.ts', prepare)).toEqual([]);
    expect(
      await sqlProblems(
        'src/hq/appliances.service.ts',
        'export const m = (t: string) => /^(\\d+)$/.exec(t);\n',
      ),
    ).toEqual([]);
  });

  it('allows what the layering allows', async () => {
    expect(
      await problems('src/app/box.app.ts', "import { adminRouter } from '../admin/admin.routes.js';\n"),
    ).toEqual([]);
    expect(
      await problems('src/cli/serve.command.ts', "import { openContext } from '../app/context.js';\n"),
    ).toEqual([]);
    expect(await problems('src/learning/learning.routes.tsx', "import { Router } from 'express';\n")).toEqual(
      [],
    );
    expect(
      await problems(
        'src/admin/reports.service.ts',
        "import { x } from '../learning/learning.service.js';\n",
      ),
    ).toEqual([]);
  });
});
