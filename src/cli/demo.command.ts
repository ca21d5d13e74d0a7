import type { Command } from 'commander';
import type { Language } from '../core/config.js';
import { AppError, invalid, isAppError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { CourseOutline, OutlineItem, QuizKey, QuizView } from '../content/content.types.js';
import { gradeQuiz } from '../learning/grading.js';
import { openContext, type AppContext } from '../app/context.js';
import type { Gender, Person } from '../people/people.types.js';
import { hashSecret } from '../people/secret.js';
import { configFrom, fail, type GlobalFlags } from './context.js';

/** The PIN every demo trainee signs in with. */
export const DEMO_PIN = '0000';

interface SeedFlags extends GlobalFlags {
  trainees: string;
  statementsPerTrainee: string;
  seed: string;
  days: string;
}

/** mulberry32: a small seeded PRNG, so the same --seed gives the same data set. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- synthetic people ------------------------------------------------------------------------------

/** [latin spelling (for the username), display form] */
type Name = readonly [string, string];
interface Region {
  language: Language;
  female: readonly Name[];
  male: readonly Name[];
  last: readonly Name[];
  agencies: readonly string[];
  idPrefix: string;
  comments: readonly string[];
}
const same = (...names: string[]): Name[] => names.map((n) => [n, n] as const);

const REGIONS: readonly Region[] = [
  {
    language: 'fr',
    female: same(
      'Awa',
      'Aminata',
      'Fatoumata',
      'Mariam',
      'Aïssatou',
      'Clarisse',
      'Josiane',
      'Nadège',
      'Rokia',
      'Adjoa',
    ),
    male: same(
      'Moussa',
      'Ibrahima',
      'Souleymane',
      'Jean-Baptiste',
      'Serge',
      'Koffi',
      'Yao',
      'Didier',
      'Issa',
      'Boubacar',
    ),
    last: same(
      'Diallo',
      'Traoré',
      'Koné',
      'Ouédraogo',
      'Sawadogo',
      'Camara',
      'Kaboré',
      'Ndiaye',
      'Sow',
      'Kouassi',
      'Coulibaly',
      'Mbemba',
    ),
    agencies: [
      'Police nationale — Commissariat central',
      'Gendarmerie nationale — Brigade territoriale',
      'Direction générale des douanes',
      'Autorité nationale de lutte contre la corruption',
      'Police judiciaire',
      'Ministère de la Justice',
    ],
    idPrefix: 'PN',
    comments: [
      'Très utile pour mon travail.',
      'Clair et concret.',
      'Les exemples sont parlants.',
      'Un peu long.',
      '',
    ],
  },
  {
    language: 'ar',
    female: [
      ['Fatima', 'فاطمة'],
      ['Amina', 'أمينة'],
      ['Leila', 'ليلى'],
      ['Nour', 'نور'],
      ['Salma', 'سلمى'],
      ['Yasmine', 'ياسمين'],
      ['Khadija', 'خديجة'],
    ],
    male: [
      ['Ahmed', 'أحمد'],
      ['Mohamed', 'محمد'],
      ['Youssef', 'يوسف'],
      ['Omar', 'عمر'],
      ['Karim', 'كريم'],
      ['Hassan', 'حسن'],
      ['Khaled', 'خالد'],
      ['Mustafa', 'مصطفى'],
    ],
    last: [
      ['Benali', 'بن علي'],
      ['El Amrani', 'العمراني'],
      ['Haddad', 'حداد'],
      ['Mansour', 'منصور'],
      ['Saleh', 'صالح'],
      ['Nasser', 'ناصر'],
      ['Bouzid', 'بوزيد'],
      ['Qasim', 'قاسم'],
    ],
    agencies: [
      'المديرية العامة للأمن الوطني',
      'الدرك الوطني',
      'إدارة الجمارك',
      'هيئة النزاهة ومكافحة الفساد',
      'الشرطة القضائية',
    ],
    idPrefix: 'DGSN',
    comments: ['دورة مفيدة جدا.', 'أمثلة واضحة.', 'أتمنى المزيد من التمارين.', ''],
  },
  {
    language: 'en',
    female: same(
      'Grace',
      'Mercy',
      'Wanjiru',
      'Priya',
      'Achieng',
      'Esther',
      'Nakato',
      'Chipo',
      'Maria',
      'Ana',
    ),
    male: same(
      'John',
      'Peter',
      'Samuel',
      'Joseph',
      'Emmanuel',
      'Brian',
      'Rajesh',
      'Tendai',
      'Carlos',
      'Juan',
    ),
    last: same(
      'Otieno',
      'Mwangi',
      'Kamau',
      'Okafor',
      'Banda',
      'Phiri',
      'Mutua',
      'Sharma',
      'Nyambura',
      'Mensah',
      'Santos',
      'Moyo',
    ),
    agencies: [
      'National Police Service — Central Division',
      'Criminal Investigation Department',
      'Revenue Authority — Customs',
      'Ethics and Anti-Corruption Commission',
      'Border Police',
      'Prisons Service',
    ],
    idPrefix: 'NPS',
    comments: [
      'Very useful for my daily work.',
      'Clear and practical.',
      'Good examples.',
      'The quiz was hard.',
      '',
    ],
  },
];

/** ASCII for usernames: strip accents, keep letters and digits, words joined by "-". */
const asciiName = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

// ---- the seeding ---------------------------------------------------------------------------------

interface CourseData {
  outline: CourseOutline;
  items: OutlineItem[];
  quizzes: Map<string, { key: QuizKey; view: QuizView }>;
}

export interface SeedResult {
  trainees: number;
  statements: number;
  courses: string[];
  coursesCompleted: number;
  quizzesPassed: number;
  quizzesFailed: number;
  ratings: number;
  seconds: number;
  firstUsername: string;
}

/**
 * Synthetic trainees and their activity, through the same LearningService code paths the pages use
 * (its *Tx methods), in big transactions: each batch of trainees is one commit.
 */
export async function seedDemo(
  ctx: AppContext,
  clock: { t: number },
  opts: { trainees: number; statementsPerTrainee: number; seed: number; days: number },
  onProgress: (done: number) => void = () => {},
): Promise<SeedResult> {
  const started = performance.now();
  const rand = prng(opts.seed);
  const summaries = ctx.content.listCourses('en');
  if (summaries.length === 0)
    throw new AppError(
      'no_courses',
      'no courses are installed in this data dir: run `fieldclass content import` (or start `fieldclass serve` once, which installs the samples) first',
    );
  // Outlines, keys and views per course and language, read once.
  const data = new Map<string, CourseData>();
  const courseData = (courseId: string, lang: Language): CourseData => {
    const k = `${courseId}:${lang}`;
    let d = data.get(k);
    if (!d) {
      const outline = ctx.content.getCourse(courseId, lang)!;
      const items = outline.modules.flatMap((m) => m.items);
      const quizzes = new Map<string, { key: QuizKey; view: QuizView }>();
      for (const it of items)
        if (it.type === 'quiz') {
          const key = ctx.content.getQuizKey(courseId, it.id, lang);
          const view = ctx.content.getQuiz(courseId, it.id, lang);
          if (key && view) quizzes.set(it.id, { key, view });
        }
      data.set(k, (d = { outline, items, quizzes }));
    }
    return d;
  };

  const pinHash = await hashSecret(DEMO_PIN, 'pin'); // once: scrypt per trainee would take minutes
  const counts = { coursesCompleted: 0, quizzesPassed: 0, quizzesFailed: 0, ratings: 0 };
  const offset = ctx.people.count('trainee');
  const end = clock.t;
  const span = opts.days * 86_400_000;
  const before = ctx.records.lastSeq();
  let firstUsername = '';
  // About 100,000 statements per transaction: indexes keyed by random UUIDs (journal refs, people) dirty
  // pages all over the file, and each commit writes every dirty page to the WAL once; fewer, bigger
  // commits write far less.
  const BATCH = Math.max(20, Math.floor(100_000 / opts.statementsPerTrainee));
  // Bulk inserts into indexes keyed by random UUIDs: keep the hot pages in memory (this connection only),
  // and checkpoint the WAL less often. Durability is unchanged (synchronous=FULL, one commit per batch).
  const db = ctx.db.records;
  const saved = {
    cache: db.pragma('cache_size', { simple: true }),
    ckpt: db.pragma('wal_autocheckpoint', { simple: true }),
  };
  db.pragma('cache_size = -524288');
  db.pragma('wal_autocheckpoint = 16384');

  const answerFor = (view: QuizView, key: QuizKey, ability: number): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const q of key.questions) {
      const right = rand() < ability;
      const options = view.questions.find((v) => v.id === q.id)?.options?.map((o) => o.id) ?? [];
      if (q.type === 'short')
        out[q.id] = [right ? (q.accepted?.[0] ?? '') : pick(rand, ['?', 'not sure', 'n/a'])];
      else if (q.type === 'truefalse') {
        const c = q.correct?.[0] ?? 'true';
        out[q.id] = [right ? c : c === 'true' ? 'false' : 'true'];
      } else if (right) out[q.id] = [...(q.correct ?? [])];
      else if (q.type === 'multiple') {
        // A typical mistake: one right option missing, or one wrong option added.
        const c = q.correct ?? [];
        const wrong = options.filter((o) => !c.includes(o));
        out[q.id] = c.length > 1 || wrong.length === 0 ? c.slice(1) : [...c, pick(rand, wrong)];
      } else {
        const wrong = options.filter((o) => !(q.correct ?? []).includes(o));
        out[q.id] = [wrong.length ? pick(rand, wrong) : ''];
      }
    }
    return out;
  };

  for (let b = 0; b < opts.trainees; b += BATCH) {
    ctx.records.writeNow(() => {
      for (let i = b; i < Math.min(opts.trainees, b + BATCH); i++) {
        const region = pick(rand, REGIONS);
        const female = rand() < 0.42;
        const first = pick(rand, female ? region.female : region.male);
        const last = pick(rand, region.last);
        const n = offset + i + 1;
        const gender: Gender = rand() < 0.03 ? 'undisclosed' : female ? 'female' : 'male';
        clock.t = end - span + Math.floor(rand() * span * 0.7);
        let person: Person | undefined;
        for (let tries = 0; !person; tries++) {
          const username = `${asciiName(first[0])}.${asciiName(last[0])}${tries ? `-${tries}` : ''}.${n}`;
          try {
            person = ctx.people.insert(
              'trainee',
              {
                username,
                displayName: `${first[1]} ${last[1]}`,
                externalId: `${region.idPrefix}-${String(100000 + n)}`,
                agency: pick(rand, region.agencies),
                gender,
                language: region.language,
              },
              pinHash,
            );
          } catch (e) {
            if (!(isAppError(e) && e.code === 'username_taken') || tries > 5) throw e;
          }
        }
        if (!firstUsername) firstUsername = person.username;
        simulate(person, region);
      }
    });
    onProgress(Math.min(opts.trainees, b + BATCH));
  }

  function simulate(person: Person, region: Region): void {
    const ability = 0.45 + rand() * 0.5;
    const diligence = 0.8 + rand() * 0.18;
    let budget = opts.statementsPerTrainee;
    const order = [...summaries].sort(() => rand() - 0.5);
    const touched: { d: CourseData; lang: Language }[] = [];
    const step = (minMinutes: number, maxMinutes: number) => {
      clock.t += Math.floor((minMinutes + rand() * (maxMinutes - minMinutes)) * 60_000);
      if (rand() < 0.08) clock.t += Math.floor((0.5 + rand() * 3) * 86_400_000); // came back another day
      if (clock.t > end) clock.t = end - Math.floor(rand() * 3_600_000);
    };
    const seq = () => ctx.records.lastSeq();
    const run = (fn: () => void) => {
      const s0 = seq();
      fn();
      budget -= seq() - s0;
    };
    for (const c of order) {
      const lang = c.languages.includes(region.language) ? region.language : c.language;
      const d = courseData(c.id, lang);
      const s0 = seq();
      for (const item of d.items) {
        if (item.type === 'lesson') {
          if (budget < 2) break;
          step(1, 4);
          run(() => ctx.learning.openLessonTx(person, d.outline, item, lang));
          // Interrupted (a call, the end of the break): back later to the same lesson.
          for (let k = 0; k < 2 && budget >= 3 && rand() > diligence; k++) {
            step(30, 60 * 20);
            run(() => ctx.learning.openLessonTx(person, d.outline, item, lang));
          }
          if (budget < 2) break;
          step(3, 12);
          run(() => {
            if (ctx.learning.completeLessonTx(person, d.outline, item, lang)) counts.coursesCompleted++;
          });
        } else if (item.type === 'quiz') {
          const q = d.quizzes.get(item.id);
          if (!q) continue;
          let passed = false;
          for (let attempt = 1; !passed; attempt++) {
            if (budget < q.key.questions.length + 3) break;
            if (q.key.attemptsAllowed > 0 && attempt > q.key.attemptsAllowed) break;
            if (attempt > 1 && (attempt > 4 || rand() < 0.2)) break;
            step(4, 10);
            const graded = gradeQuiz(
              q.key,
              answerFor(q.view, q.key, Math.min(0.98, ability + 0.12 * (attempt - 1))),
            );
            run(() => {
              const r = ctx.learning.submitQuizTx(person, d.outline, item, lang, q.key, graded);
              if (r.courseCompleted) counts.coursesCompleted++;
            });
            passed = graded.passed;
            if (passed) counts.quizzesPassed++;
            else counts.quizzesFailed++;
          }
          if (!passed) break;
        }
      }
      if (seq() > s0) touched.push({ d, lang }); // launched: re-opening its lessons costs one statement each
      const done = ctx.learning.courseProgress(person.id, d.outline).completed;
      if (done && budget >= 1 && rand() < 0.75) {
        const weights = [0.03, 0.05, 0.14, 0.4, 0.38];
        let x = rand();
        let rating = 1;
        for (const w of weights) if ((x -= w) > 0) rating++;
        step(1, 3);
        run(() =>
          ctx.learning.rateCourseTx(
            person,
            d.outline,
            lang,
            Math.min(5, rating),
            pick(rand, region.comments),
          ),
        );
        counts.ratings++;
      }
      if (budget < 2) break; // otherwise on to the next course (also after failing a quiz for good)
    }
    // Whatever is left of the budget: going back over lessons already seen (one statement each).
    const lessons = touched.flatMap(({ d, lang }) =>
      d.items.filter((it) => it.type === 'lesson').map((it) => ({ d, lang, it })),
    );
    while (budget > 0 && lessons.length > 0) {
      const { d, lang, it } = pick(rand, lessons);
      step(1, 6);
      run(() => ctx.learning.openLessonTx(person, d.outline, it, lang));
    }
  }

  db.pragma(`cache_size = ${Number(saved.cache)}`);
  db.pragma(`wal_autocheckpoint = ${Number(saved.ckpt)}`);
  return {
    trainees: opts.trainees,
    statements: ctx.records.lastSeq() - before - opts.trainees,
    courses: summaries.map((c) => c.id),
    ...counts,
    seconds: (performance.now() - started) / 1000,
    firstUsername,
  };
}

function positiveInt(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw invalid(`${name}: must be a whole number, ${min} or more (got "${v}")`);
  return n;
}

export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('synthetic data for demos and benchmarks');
  demo
    .command('seed')
    .description(
      'add realistic synthetic trainees (multilingual names, agencies, genders, external ids) and their ' +
        'activity across the installed courses: lessons opened and completed, quizzes answered with ' +
        'realistic pass rates, ratings. Every demo trainee signs in with PIN 0000 (the PIN is hashed once ' +
        'and the hash shared by all of them, so seeding 30,000 trainees does not take 30,000 scrypt runs).',
    )
    .requiredOption('--trainees <n>', 'how many trainees to add')
    .requiredOption('--statements-per-trainee <m>', 'how many xAPI statements to record for each trainee')
    .option('--seed <n>', 'random seed (the same seed gives the same data)', '1')
    .option('--days <n>', 'spread the activity over the last N days', '60')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (opts: SeedFlags) => {
      try {
        const trainees = positiveInt('--trainees', opts.trainees, 1);
        const perTrainee = positiveInt('--statements-per-trainee', opts.statementsPerTrainee, 1);
        const seed = positiveInt('--seed', opts.seed, 0);
        const days = positiveInt('--days', opts.days, 1);
        const clock = { t: Date.now() };
        const ctx = openContext(configFrom(opts), {
          logger: silentLogger,
          clock: { now: () => new Date(clock.t) },
        });
        try {
          const tty = process.stderr.isTTY;
          const r = await seedDemo(
            ctx,
            clock,
            { trainees, statementsPerTrainee: perTrainee, seed, days },
            (done) => {
              if (tty) process.stderr.write(`\r  ${done}/${trainees} trainees`);
            },
          );
          if (tty) process.stderr.write('\n');
          console.log(
            `demo seed: ${r.trainees} trainees, ${r.statements} statements in ${r.seconds.toFixed(1)} s`,
          );
          console.log(`  courses: ${r.courses.join(', ')}`);
          console.log(
            `  quizzes passed ${r.quizzesPassed}, failed ${r.quizzesFailed}; courses completed ${r.coursesCompleted}; ratings ${r.ratings}`,
          );
          console.log(
            `  sign in as e.g. "${r.firstUsername}" with PIN ${DEMO_PIN} (every demo trainee has PIN ${DEMO_PIN})`,
          );
          console.log(`  data dir: ${ctx.config.dataDir}`);
        } finally {
          ctx.close();
        }
      } catch (e) {
        fail(e);
      }
    });
}
