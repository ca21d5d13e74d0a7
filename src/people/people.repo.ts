import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import type { Language } from '../core/config.js';
import type { Gender, Person, Role } from './people.types.js';

interface PersonRow {
  id: string;
  role: Role;
  username: string;
  username_key: string;
  display_name: string;
  secret_hash: string;
  external_id: string | null;
  agency: string | null;
  gender: Gender | null;
  language: Language | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export const toPerson = (r: PersonRow): Person => ({
  id: r.id,
  role: r.role,
  username: r.username,
  displayName: r.display_name,
  externalId: r.external_id,
  agency: r.agency,
  gender: r.gender,
  language: r.language,
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface PersonInsert {
  id: string;
  role: Role;
  username: string;
  usernameKey: string;
  displayName: string;
  secretHash: string;
  externalId: string | null;
  agency: string | null;
  gender: Gender | null;
  language: Language | null;
  at: string;
}

export class PeopleRepo {
  private readonly insertStmt: Statement;
  private readonly byIdStmt: Statement;
  private readonly byKeyStmt: Statement;
  private readonly updateStmt: Statement;
  private readonly setSecretStmt: Statement;
  private readonly countStmt: Statement;
  private readonly countActiveStmt: Statement;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO people (id, role, username, username_key, display_name, secret_hash, external_id, agency,
         gender, language, active, created_at, updated_at)
       VALUES (@id, @role, @username, @usernameKey, @displayName, @secretHash, @externalId, @agency,
         @gender, @language, 1, @at, @at)`,
    );
    this.byIdStmt = db.prepare('SELECT * FROM people WHERE id = ?');
    this.byKeyStmt = db.prepare('SELECT * FROM people WHERE username_key = ?');
    this.updateStmt = db.prepare(
      `UPDATE people SET display_name = @displayName, external_id = @externalId, agency = @agency,
         gender = @gender, language = @language, active = @active, updated_at = @at WHERE id = @id`,
    );
    this.setSecretStmt = db.prepare('UPDATE people SET secret_hash = ?, updated_at = ? WHERE id = ?');
    this.countStmt = db.prepare('SELECT count(*) FROM people WHERE role = ?').pluck();
    this.countActiveStmt = db.prepare('SELECT count(*) FROM people WHERE role = ? AND active = 1').pluck();
  }

  insert(p: PersonInsert): void {
    this.insertStmt.run(p);
  }

  byId(id: string): Person | undefined {
    const r = this.byIdStmt.get(id) as PersonRow | undefined;
    return r && toPerson(r);
  }

  /** With the secret hash, for sign-in only. */
  byUsernameKeyWithSecret(key: string): { person: Person; secretHash: string } | undefined {
    const r = this.byKeyStmt.get(key) as PersonRow | undefined;
    return r && { person: toPerson(r), secretHash: r.secret_hash };
  }

  update(p: Person, at: string): void {
    this.updateStmt.run({
      id: p.id,
      displayName: p.displayName,
      externalId: p.externalId,
      agency: p.agency,
      gender: p.gender,
      language: p.language,
      active: p.active ? 1 : 0,
      at,
    });
  }

  setSecret(id: string, hash: string, at: string): void {
    this.setSecretStmt.run(hash, at, id);
  }

  count(role: Role): number {
    return this.countStmt.get(role) as number;
  }

  countActive(role: Role): number {
    return this.countActiveStmt.get(role) as number;
  }

  /** Search by username, name or external id; newest first; for lists of thousands. */
  search(opts: { role: Role; query?: string; limit: number; offset: number; includeInactive?: boolean }): {
    rows: Person[];
    total: number;
  } {
    const where = ['role = @role'];
    if (!opts.includeInactive) where.push('active = 1');
    const params: Record<string, unknown> = { role: opts.role, limit: opts.limit, offset: opts.offset };
    if (opts.query) {
      where.push(
        "(username_key LIKE @q ESCAPE '\\' OR display_name LIKE @q ESCAPE '\\' OR external_id LIKE @q ESCAPE '\\')",
      );
      params['q'] = `%${opts.query.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    }
    const w = where.join(' AND ');
    const total = this.prepared(`SELECT count(*) FROM people WHERE ${w}`).pluck().get(params) as number;
    const rows = (
      this.prepared(`SELECT * FROM people WHERE ${w} ORDER BY username_key LIMIT @limit OFFSET @offset`).all(
        params,
      ) as PersonRow[]
    ).map(toPerson);
    return { rows, total };
  }

  /** The search has a few shapes; each is prepared once. */
  private readonly cache = new Map<string, Statement>();
  private prepared(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
}
