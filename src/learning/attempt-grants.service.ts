import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AdjustmentBody } from '../contract/journal.js';
import type { ContentReader } from '../content/content.types.js';
import type { PeopleService } from '../people/people.service.js';
import type { AuditService } from '../records/audit.service.js';
import type { RecordsService } from '../records/records.service.js';
import { learningError } from './learning.errors.js';
import type { LearningService } from './learning.service.js';

export interface GrantResult {
  grantId: string;
  username: string;
  courseId: string;
  quizId: string;
  added: number;
  /** Attempts left after the grant (the quiz allowance plus every grant, less the attempts used). */
  attemptsLeft: number | null;
}

/** At most this many attempts in one grant (a typo such as 1000 is refused, not obeyed). */
export const MAX_GRANT = 100;

/**
 * Attempt grants: a coordinator gives a trainee N more attempts at a quiz. One write: the journal's
 * `adjustment` row (HQ applies it too), the raised allowance (derived, rebuilt from the journal) and the
 * audit row. The history is the journal and the audit; a grant never undoes anything recorded (a pass
 * stays a pass). Errors name the problem: unknown trainee or quiz (404), a count that is not a whole
 * number from 1 to 100 (400); nothing is written then.
 */
export class AttemptGrantService {
  constructor(
    private readonly records: RecordsService,
    private readonly content: ContentReader,
    private readonly people: PeopleService,
    private readonly learning: LearningService,
    private readonly audit: AuditService,
  ) {}

  grant(opts: {
    username: string;
    courseId: string;
    quizId: string;
    add: number;
    /** The coordinator's person id; null from the CLI (the box's operator). */
    by: string | null;
  }): GrantResult {
    const { username, courseId, quizId, add, by } = opts;
    if (!Number.isInteger(add) || add < 1 || add > MAX_GRANT)
      throw learningError('grant_count_invalid', { max: MAX_GRANT, got: String(add) });
    const person = this.people.byUsername(username);
    if (!person || person.role !== 'trainee') throw notFound(`trainee "${username}"`);
    if (!this.content.getQuizKey(courseId, quizId, 'en'))
      throw notFound(`quiz "${quizId}" of course "${courseId}"`);
    const grantId = newId();
    this.records.writeNow(() => {
      const body: AdjustmentBody = {
        type: 'attempt_grant',
        id: grantId,
        personId: person.id,
        courseId,
        activityId: quizId,
        add,
        by,
        at: this.records.now(),
      };
      this.records.appendJournal('adjustment', grantId, body);
      this.learning.applyAdjustment(body);
      this.audit.recordTx(by, 'attempts.grant', person.id, { courseId, quizId, add, grantId });
    });
    return {
      grantId,
      username: person.username,
      courseId,
      quizId,
      added: add,
      attemptsLeft: this.learning.quizStatus(person.id, courseId, quizId).attemptsLeft,
    };
  }
}
