/**
 * Load a large, realistic set of dossiers for performance work:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run seed:large -- --dossiers 1000000
 *
 * Migrates, loads the demo organisation, officials and procedures into an empty database, then
 * adds N dossiers over the last years of working days: receptions in office hours, due dates on the
 * working calendar (exact: the same calendar and rules as reception), codes in the official format
 * <agency code>-<YYMMDD>-<XXXX> with the per-agency, per-day sequence (the counters are brought up to
 * date so live reception goes on from there), synthetic Vietnamese applicants, a realistic status mix
 * driven by each dossier's own timeline (most returned; recent ones still open; a few stuck and
 * overdue), and their history ('receive' plus the latest change). Adds to what is there: running it
 * twice (with another --seed: the same seed makes the same lookup codes and subjects) gives 2N dossiers.
 * Not written: audit-log rows (the audit chain is the app's, not a fixture's).
 *
 * Citizens of the portal: one per ~20 dossiers (`citizens`, VNeID level 2, the issuer of src/config.ts —
 * the simulator's unless VNEID_ISSUER is set — random subjects), plus --fifty K citizens with exactly 50
 * dossiers each (CCCD born in province 093, which no other applicant has), for bench/portal.ts. 15 % of the
 * dossiers are online (channel 2): submitted by a citizen (citizen_id; 'submit' by the citizen, then
 * 'accept'; a few still 'submitted'; 8 % on behalf of someone else, who is then the applicant), the fee
 * paid on the payment platform for most of those with one; 12 % of the others name a citizen who came to
 * the counter. Every dossier's applicant_id_number is its applicant's CCCD (null when none), as reception
 * and Nộp hồ sơ write it, so src/portal/citizen-dossiers.ts finds a citizen's dossiers both ways.
 *
 * Rows are generated here and sent in chunks (one JSON parameter per table, expanded by
 * json_to_recordset), several chunks in flight at once, each chunk in one transaction.
 *
 * Options: --dossiers N (required), --seed S (default 1), --years Y (default 3, more when a day of an
 * agency would need more than 9999 codes), --chunk C (default 50000), --parallel P (default 2),
 * --fifty K (default 20; at most one per 1,000 dossiers).
 * Without DATABASE_URL it uses PGlite under DATA_DIR (like `npm start`), for at most 50,000 dossiers.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { loadConfigOrExit } from '../src/config.js';
import { openDatabase, queryRows, redactPassword, type Db } from '../src/db/client.js';
import type { Applicant, ProcessStep } from '../src/db/schema/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { openBlobStore, setBlobStore } from '../src/storage/index.js';
import { loadCalendarForYears } from '../src/calendar/load.js';
import { type WorkingCalendar, atLocal, localDate } from '../src/calendar/working-time.js';
import { foldVietnamese } from '../src/shared/text.js';
import { prng } from '../src/shared/prng.js';
import { rebuildCounters } from '../src/statistics/recount.js';
import { limitKindOf } from '../src/procedures/time-limit.js';

const PGLITE_LIMIT = 50_000;
const OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

// ───────────────────────────── options ─────────────────────────────

type Options = { dossiers: number; seed: number; years: number; chunk: number; parallel: number; fifty: number };
const OPTION_NAMES = ['dossiers', 'seed', 'years', 'chunk', 'parallel', 'fifty', 'help'];

function parseArgs(argv: string[]): Options {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) raw[a.slice(2, eq)] = a.slice(eq + 1);
    else raw[a.slice(2)] = argv[++i] ?? '';
  }
  const num = (name: string, dflt: number | undefined, min: number) => {
    const v = raw[name];
    if (v === undefined) {
      if (dflt === undefined) usage(`--${name} is required`);
      return dflt!;
    }
    const n = Number(v.replace(/[_,]/g, ''));
    if (!Number.isFinite(n) || n < min) usage(`--${name} must be a number ≥ ${min}`);
    return Math.floor(n);
  };
  if ('help' in raw) usage();
  const unknown = Object.keys(raw).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length) usage(`unknown option ${unknown.map((k) => `--${k}`).join(', ')}`);
  return {
    dossiers: num('dossiers', undefined, 1),
    seed: num('seed', 1, 0),
    years: num('years', 3, 1),
    chunk: num('chunk', 50_000, 1000),
    parallel: num('parallel', 2, 1),
    fifty: num('fifty', 20, 0),
  };
}

function usage(problem?: string): never {
  if (problem) console.error(`seed-large: ${problem}\n`);
  console.error('Usage: npm run seed:large -- --dossiers N [--seed S] [--years Y] [--chunk C] [--parallel P] [--fifty K]');
  console.error('  --dossiers N  how many dossiers to add (required)');
  console.error('  --seed S      random seed; the same seed gives the same data (default 1)');
  console.error(
    '  --years Y     span of reception days, in years back from today (default 3; more if an agency would need over 9999 codes a day)',
  );
  console.error('  --chunk C     dossiers per insert transaction (default 50,000; at least 1,000)');
  console.error('  --parallel P  chunks in flight at once (default 2; 1 on PGlite)');
  console.error(
    '  --fifty K     portal citizens with exactly 50 dossiers each, for `npm run bench` (default 20; at most one per 1,000 dossiers)',
  );
  console.error('Environment:');
  console.error('  DATABASE_URL  the PostgreSQL database to fill (required above 50,000 dossiers)');
  console.error('  DATA_DIR      PGlite data directory when DATABASE_URL is unset (default ./data)');
  console.error('  DEMO_PASSWORD password of the demo accounts if the demo data is loaded (default MotCua@2026)');
  process.exit(2);
}

// ───────────────────────────── randomness ─────────────────────────────

/** Weighted choice by binary search over cumulative weights. */
function weighted<T>(items: Array<[T, number]>) {
  const values = items.map(([v]) => v);
  const cum: number[] = [];
  let total = 0;
  for (const [, w] of items) {
    total += w;
    cum.push(total);
  }
  return (r: number): T => {
    const x = r * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  };
}

// ───────────────────────────── synthetic applicants ─────────────────────────────

const SURNAMES: Array<[string, number]> = [
  ['Nguyễn', 31],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng', 4],
  ['Huỳnh', 4],
  ['Phan', 4.5],
  ['Vũ', 3.5],
  ['Võ', 4],
  ['Đặng', 2],
  ['Bùi', 2],
  ['Đỗ', 1.5],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Đinh', 0.8],
  ['Trương', 0.8],
  ['Mai', 0.5],
  ['Lâm', 0.4],
  ['Tô', 0.3],
  ['Hà', 0.4],
  ['Điểu', 0.8],
  ['Thị', 0.2],
];
const MIDDLE = {
  male: [
    'Văn',
    'Văn',
    'Văn',
    'Hữu',
    'Đức',
    'Minh',
    'Quốc',
    'Thành',
    'Công',
    'Gia',
    'Ngọc',
    'Thanh',
    'Xuân',
    'Hoàng',
    'Anh',
    'Tấn',
    'Trọng',
    'Duy',
  ],
  female: [
    'Thị',
    'Thị',
    'Thị',
    'Thị',
    'Ngọc',
    'Thu',
    'Thanh',
    'Kim',
    'Mỹ',
    'Bảo',
    'Khánh',
    'Hồng',
    'Phương',
    'Thúy',
    'Minh',
    'Diệu',
    'Hoài',
  ],
};
const GIVEN = {
  male: [
    'An',
    'Bảo',
    'Bình',
    'Cường',
    'Dũng',
    'Duy',
    'Đạt',
    'Đông',
    'Hải',
    'Hiếu',
    'Hòa',
    'Hoàng',
    'Hùng',
    'Huy',
    'Khang',
    'Khánh',
    'Khoa',
    'Lâm',
    'Long',
    'Lộc',
    'Luân',
    'Minh',
    'Nam',
    'Nghĩa',
    'Nhân',
    'Phát',
    'Phong',
    'Phúc',
    'Quang',
    'Quân',
    'Sơn',
    'Tài',
    'Tâm',
    'Thắng',
    'Thành',
    'Thịnh',
    'Tiến',
    'Toàn',
    'Trung',
    'Tuấn',
    'Tùng',
    'Việt',
    'Vinh',
    'Vũ',
  ],
  female: [
    'An',
    'Ánh',
    'Anh',
    'Châu',
    'Chi',
    'Dung',
    'Duyên',
    'Giang',
    'Hà',
    'Hạnh',
    'Hằng',
    'Hiền',
    'Hoa',
    'Huyền',
    'Hương',
    'Lan',
    'Liên',
    'Linh',
    'Loan',
    'Mai',
    'My',
    'Nga',
    'Ngân',
    'Nhung',
    'Như',
    'Oanh',
    'Phương',
    'Quyên',
    'Tâm',
    'Thảo',
    'Thư',
    'Thủy',
    'Trang',
    'Trâm',
    'Tuyết',
    'Uyên',
    'Vân',
    'Vy',
    'Xuân',
    'Yến',
  ],
};
const BIRTH_PROVINCES: Array<[string, number]> = [
  ['070', 70],
  ['079', 6],
  ['075', 4],
  ['074', 4],
  ['040', 3],
  ['038', 3],
  ['036', 2],
  ['034', 2],
  ['001', 2],
  ['052', 2],
  ['066', 2],
];
const PHONE_PREFIXES = [
  '090',
  '091',
  '093',
  '094',
  '096',
  '097',
  '098',
  '032',
  '033',
  '034',
  '035',
  '036',
  '037',
  '038',
  '039',
  '070',
  '076',
  '077',
  '078',
  '079',
  '081',
  '082',
  '083',
  '084',
  '085',
  '086',
  '088',
  '089',
];
const STREETS = [
  'Phú Riềng Đỏ',
  'Hùng Vương',
  'Trần Hưng Đạo',
  'Lê Duẩn',
  'Nguyễn Huệ',
  'Lý Thường Kiệt',
  'Ngô Quyền',
  'Hai Bà Trưng',
  'Trường Chinh',
  'Nguyễn Văn Linh',
  'Lê Quý Đôn',
  'Võ Thị Sáu',
  'Điểu Ong',
  'Tôn Đức Thắng',
  'Quốc lộ 14',
  'ĐT 741',
  'Đồng Xoài',
  'Nguyễn Chí Thanh',
];
const PLACES = [
  'phường Tân Phú, thành phố Đồng Xoài',
  'phường Tân Bình, thành phố Đồng Xoài',
  'phường Tân Đồng, thành phố Đồng Xoài',
  'phường Tân Xuân, thành phố Đồng Xoài',
  'phường Tân Thiện, thành phố Đồng Xoài',
  'phường Tiến Thành, thành phố Đồng Xoài',
  'xã Tiến Hưng, thành phố Đồng Xoài',
  'xã Minh Hưng, huyện Bù Đăng',
  'thị trấn Đức Phong, huyện Bù Đăng',
  'xã Đoàn Kết, huyện Bù Đăng',
  'phường Hưng Chiến, thị xã Bình Long',
  'phường An Lộc, thị xã Bình Long',
  'phường Long Phước, thị xã Phước Long',
  'thị trấn Tân Phú, huyện Đồng Phú',
  'xã Tân Lập, huyện Đồng Phú',
  'thị trấn Tân Khai, huyện Hớn Quản',
  'xã Long Hưng, huyện Phú Riềng',
  'thị trấn Chơn Thành, huyện Chơn Thành',
  'thị trấn Lộc Ninh, huyện Lộc Ninh',
  'thị trấn Thanh Bình, huyện Bù Đốp',
];
const COMPANY_KINDS = ['Công ty TNHH', 'Công ty TNHH', 'Công ty TNHH MTV', 'Công ty Cổ phần', 'Doanh nghiệp tư nhân', 'Hợp tác xã'];
const COMPANY_TRADES = [
  'Thương mại',
  'Thương mại Dịch vụ',
  'Xây dựng',
  'Nông sản',
  'Điều',
  'Cao su',
  'Vận tải',
  'Xăng dầu',
  'Điện',
  'Hóa chất',
  'Sản xuất',
  'Đầu tư',
];
const COMPANY_NAMES = [
  'Phước Long',
  'Bình Phước',
  'Đồng Xoài',
  'Sông Bé',
  'Bù Đăng',
  'Tân Phú',
  'Minh Hưng',
  'Hưng Thịnh',
  'An Khang',
  'Phú Quý',
  'Thành Đạt',
  'Đại Phát',
  'Hoàng Gia',
  'Việt Tiến',
  'Sao Mai',
  'Tiến Phát',
  'Kim Ngân',
  'Trường Sơn',
];
/** Sectors whose applicants are mostly organisations. */
const BUSINESS_SECTORS = new Set(['LTHH', 'DIEN', 'HOACHAT', 'DKKD', 'DAUTU', 'VIECLAM']);
const SUPPLEMENT_ITEMS = [
  'Bản sao Giấy chứng nhận đăng ký doanh nghiệp có chứng thực',
  'Bản vẽ mặt bằng có chữ ký, đóng dấu',
  'Giấy khám sức khỏe còn hiệu lực',
  'Bản sao căn cước công dân của người đại diện',
  'Văn bản ủy quyền',
  'Ảnh 3x4 chụp trong 6 tháng gần nhất',
  'Bản chính giấy tờ để đối chiếu',
];
const REFUSALS = [
  'Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.',
  'Thành phần hồ sơ không đầy đủ theo quy định, công dân không bổ sung.',
  'Đối tượng không đủ điều kiện theo quy định.',
  'Giấy tờ trong hồ sơ đã hết hiệu lực.',
];
const STOPS = [
  'Công dân có đơn xin rút hồ sơ.',
  'Quá thời hạn bổ sung hồ sơ theo thông báo.',
  'Đang có tranh chấp liên quan, chờ kết quả giải quyết.',
];

/** Expected share of each demo procedure (by code); others get 1. */
const PROCEDURE_WEIGHTS: Record<string, number> = {
  '2.000633': 3,
  '2.000620': 1,
  '2.000190': 1.5,
  '2.000181': 0.8,
  '2.000003': 0.2,
  '2.000176': 1,
  '2.000405': 0.5,
  '1.001612': 4,
  '2.001610': 5,
  '1.005121': 6,
  '1.009645': 0.3,
  '1.002809': 14,
  '1.002835': 6,
  '1.005092': 5,
  '1.005088': 1,
  '1.000775': 2,
  '1.000843': 0.5,
  '1.000459': 2,
  '1.001193': 12,
  '1.001022': 5,
  '2.000884': 18,
  '2.000908': 7,
};

const LOOKUP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Portal citizens: one per this many dossiers; their share of the online and of the counter's dossiers. */
const DOSSIERS_PER_CITIZEN = 20;
const ONLINE_SHARE = 0.15;
const CITIZEN_AT_COUNTER = 0.12;
/** Birth province of the --fifty citizens' CCCD: none of BIRTH_PROVINCES, so no other applicant has their number. */
const FIFTY_PROVINCE = '093';
const FIFTY = 50;

/** A synthetic person: an applicant, and for a portal citizen also their VNeID identity. */
type Person = {
  id: string;
  fullName: string;
  foldedName: string;
  male: boolean;
  dateOfBirth: string;
  cccd: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
};

// ───────────────────────────── working time as a line ─────────────────────────────

/**
 * Working time laid out as one line of working minutes: working day k covers (k·M, (k+1)·M], M the
 * office minutes of a day. Positions convert to instants in O(1), so deadline arithmetic on a million
 * dossiers is cheap, and it gives the same answers as WorkingCalendar.addWorkingMinutes (a position on a
 * boundary is the end of the earlier period, as there).
 */
class WorkLine {
  readonly days: string[] = [];
  readonly index = new Map<string, number>();
  readonly M: number;
  constructor(
    readonly cal: WorkingCalendar,
    from: string,
    until: string,
  ) {
    this.M = cal.officeHours.reduce((n, [s, e]) => n + (e - s), 0);
    for (let d = from; d <= until; d = new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)) {
      if (!cal.isWorkingDay(d)) continue;
      this.index.set(d, this.days.length);
      this.days.push(d);
    }
  }

  /** The working position of an instant (an instant outside office hours: the next working minute). */
  pos(t: Date): number {
    const local = t.getTime() + OFFSET_MS;
    const d = new Date(local - (local % DAY_MS)).toISOString().slice(0, 10);
    const minute = (local % DAY_MS) / 60_000;
    let k = this.index.get(d);
    if (k === undefined) {
      // Not a working day: the start of the next one.
      for (let i = 0; i < this.days.length; i++) if (this.days[i]! > d) return i * this.M;
      return this.days.length * this.M;
    }
    let cum = 0;
    for (const [s, e] of this.cal.officeHours) {
      if (minute < s) return k * this.M + cum;
      if (minute < e) return k * this.M + cum + (minute - s);
      cum += e - s;
    }
    k += 1;
    return k * this.M;
  }

  /** The instant at a working position (positions are whole seconds: see `sec`). */
  at(p: number): Date {
    if (p <= 0) return atLocal(this.days[0]!, this.cal.dayStart);
    let k = Math.ceil(p / this.M) - 1;
    if (k >= this.days.length) k = this.days.length - 1;
    let off = p - k * this.M;
    const day = this.days[k]!;
    for (const [s, e] of this.cal.officeHours) {
      if (off <= e - s) return new Date(Math.round(atLocal(day, s + off).getTime() / 1000) * 1000);
      off -= e - s;
    }
    return atLocal(day, this.cal.dayEnd);
  }
}

// ───────────────────────────── the catalog, as loaded ─────────────────────────────

type Who = { id: string; label: string };
type Version = {
  id: string;
  code: string;
  name: string;
  sectorCode: string;
  agencyCode: string;
  workingDays: number | null;
  workingHours: number | null;
  after1500: boolean;
  /** Lệ phí in đồng (0: none): online dossiers of a procedure with a fee get a paid payment once accepted. */
  fee: number;
  steps: ProcessStep[];
  /** Step indexes by role. */
  reception: number;
  processing: number;
  approval: number;
  result: number;
  /** Officials who may act at each step (for receivedBy and the history's actor). */
  actors: Who[][];
};

async function loadCatalog(db: Db): Promise<Version[]> {
  const versions = await queryRows<{
    id: string;
    code: string;
    name: string;
    sector_code: string;
    agency_id: string;
    agency_code: string | null;
    working_days: number | null;
    working_hours: string | null;
    after_1500_next_day: boolean;
    fee: number;
    steps: ProcessStep[];
  }>(
    db,
    sql`select pv.id, p.code, pv.name, s.code as sector_code, pv.unit_ids->>0 as agency_id, u.agency_code,
               pv.working_days, pv.working_hours, pv.after_1500_next_day, pv.fee, pv.steps
        from procedure_versions pv
        join procedures p on p.id = pv.procedure_id
        join sectors s on s.id = pv.sector_id
        join units u on u.id = (pv.unit_ids->>0)::uuid
        where pv.current and u.active
        order by p.code`,
  );
  const unitRows = await queryRows<{ id: string; parent_id: string | null }>(db, sql`select id, parent_id from units`);
  const parent = new Map(unitRows.map((u) => [u.id, u.parent_id]));
  const grants = await queryRows<{ account_id: string; username: string; unit_id: string; role: string }>(
    db,
    sql`select g.account_id, a.username, g.unit_id, g.role from role_grants g join accounts a on a.id = g.account_id
        where not a.suspended and a.deleted_at is null order by a.username`,
  );
  const holders = (unitId: string, role: string): Who[] => {
    const chain = new Set<string>();
    for (let u: string | null | undefined = unitId; u && chain.size < 64; u = parent.get(u)) chain.add(u);
    const seen = new Set<string>();
    const out: Who[] = [];
    for (const g of grants) {
      if (g.role === role && chain.has(g.unit_id) && !seen.has(g.account_id)) {
        seen.add(g.account_id);
        out.push({ id: g.account_id, label: g.username });
      }
    }
    return out;
  };
  const out: Version[] = [];
  for (const v of versions) {
    if (!v.agency_code) {
      console.warn(`  (skipping ${v.code} ${v.name}: its receiving unit has no agency code)`);
      continue;
    }
    const idx = (role: ProcessStep['role'], dflt: number) => {
      const i = v.steps.findIndex((s) => s.role === role);
      return i >= 0 ? i : Math.min(dflt, v.steps.length - 1);
    };
    out.push({
      id: v.id,
      code: v.code,
      name: v.name,
      sectorCode: v.sector_code,
      agencyCode: v.agency_code,
      workingDays: v.working_days,
      workingHours: v.working_hours === null ? null : Number(v.working_hours),
      after1500: v.after_1500_next_day,
      fee: v.fee,
      steps: v.steps,
      reception: 0,
      processing: idx('processing', 1),
      approval: idx('approval', 2),
      result: idx('result', v.steps.length - 1),
      actors: v.steps.map((s) => holders(s.unitId ?? v.agency_id, s.role)),
    });
  }
  return out;
}

// ───────────────────────────── generation ─────────────────────────────

type DossierRow = Record<string, unknown>;
type EventRow = Record<string, unknown>;
type Chunk = {
  dossiers: DossierRow[];
  events: EventRow[];
  payments: Array<Record<string, unknown>>;
  counters: Map<string, number>;
  firstDay: string;
  lastDay: string;
};

const fmtInt = (n: number) => n.toLocaleString('en-US');

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const config = loadConfigOrExit();
  if (config.env === 'production') {
    console.error('seed-large: refusing to load synthetic dossiers with NODE_ENV=production.');
    process.exit(2);
  }
  if (!config.databaseUrl && opts.dossiers > PGLITE_LIMIT) {
    console.error(
      `seed-large: DATABASE_URL is not set. ${fmtInt(opts.dossiers)} dossiers need a PostgreSQL server;\n` +
        `  without DATABASE_URL (PGlite under DATA_DIR) at most ${fmtInt(PGLITE_LIMIT)} are allowed.\n` +
        '  Example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run seed:large -- --dossiers 1000000',
    );
    process.exit(2);
  }
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl, poolSize: opts.parallel + 1 } : { dataDir: config.dataDir },
  );
  const parallel = database.kind === 'pglite' ? 1 : opts.parallel;
  const db = database.db;
  console.log(`Database: ${database.kind === 'postgres' ? redactPassword(config.databaseUrl!) : `PGlite ${config.dataDir}`}`);
  await database.migrate();
  const [{ units: unitCount } = { units: 0 }] = await queryRows<{ units: number }>(db, sql`select count(*)::int as units from units`);
  if (unitCount === 0) {
    setBlobStore(openBlobStore(config.storage)); // the demo templates' files
    const res = await seedDemo(db, config.demoPassword);
    console.log(`Loaded the demo data: ${res.usernames.length} accounts (password ${config.demoPassword}). ${elapsed()}`);
  }
  const versions = await loadCatalog(db);
  if (versions.length === 0) {
    console.error('seed-large: no current procedure with an agency code; nothing to receive dossiers for.');
    process.exit(1);
  }
  const [{ before } = { before: 0 }] = await queryRows<{ before: number }>(db, sql`select count(*)::int as before from dossiers`);

  // ── the span: enough working days that no agency needs more than 9999 codes in a day ──
  const weightOf = (v: Version) => PROCEDURE_WEIGHTS[v.code] ?? 1;
  const totalWeight = versions.reduce((n, v) => n + weightOf(v), 0);
  const agencyShare = new Map<string, number>();
  for (const v of versions) agencyShare.set(v.agencyCode, (agencyShare.get(v.agencyCode) ?? 0) + weightOf(v) / totalWeight);
  const maxShare = Math.max(...agencyShare.values());
  // Peak day ≈ 1.6 × the average (weekday, season and noise); keep the busiest agency's peak under ~9000.
  const yearsNeeded = Math.ceil(((opts.dossiers + before) * maxShare * 1.6) / (248 * 9000));
  const years = Math.max(opts.years, yearsNeeded);
  if (years > opts.years)
    console.log(
      `Spreading the dossiers over ${years} years (instead of ${opts.years}) so that no agency gets more than 9999 dossiers a day.`,
    );

  const now = new Date();
  const today = localDate(now);
  const startDay = `${Number(today.slice(0, 4)) - years}${today.slice(4)}`;
  const cal = await loadCalendarForYears(db, Number(startDay.slice(0, 4)) - 1, Number(today.slice(0, 4)) + 2);
  // The line runs two years past today: due dates, pick-ups and late finishes all land on it.
  const line = new WorkLine(cal, startDay, `${Number(today.slice(0, 4)) + 2}${today.slice(4)}`);
  const M = line.M;
  const nowPos = line.pos(now);
  /** Positions are kept to whole seconds, so instants and deadlines computed from them are exact. */
  const sec = (p: number) => (Number.isFinite(p) ? Math.round(p * 60) / 60 : p);
  const boundaries = new Set<number>();
  {
    let cum = 0;
    for (const [s, e] of cal.officeHours) {
      cum += e - s;
      boundaries.add(cum);
    }
  }
  // Reception days: from startDay up to now (today only up to the current minute).
  const receptionDays: number[] = [];
  for (let k = 0; k < line.days.length && k * M + 2 < nowPos; k++) receptionDays.push(k);

  const rnd = prng(opts.seed * 7919 + 17);
  const pickVersion = weighted(versions.map((v) => [v, weightOf(v)] as [Version, number]));
  const pickSurname = weighted(SURNAMES);
  const pickProvince = weighted(BIRTH_PROVINCES);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const foldCache = new Map<string, string>();
  const fold = (w: string) => {
    let f = foldCache.get(w);
    if (f === undefined) {
      f = foldVietnamese(w);
      foldCache.set(w, f);
    }
    return f;
  };

  /** A new synthetic person from `rand`; with a CCCD with probability `withCccd` (birth province `province` if given). */
  const makePerson = (rand: () => number, withCccd: number, province?: string): Person => {
    const choose = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const nums = (n: number) => {
      let out = '';
      for (let i = 0; i < n; i++) out += (rand() * 10) | 0;
      return out;
    };
    const male = rand() < 0.5;
    const surname = pickSurname(rand());
    const middle = choose(male ? MIDDLE.male : MIDDLE.female);
    const middle2 = rand() < 0.22 ? choose(male ? MIDDLE.male : MIDDLE.female) : null;
    const given = choose(male ? GIVEN.male : GIVEN.female);
    const three = middle2 && middle2 !== middle;
    const fullName = three ? `${surname} ${middle} ${middle2} ${given}` : `${surname} ${middle} ${given}`;
    const foldedName = three
      ? `${fold(surname)} ${fold(middle)} ${fold(middle2)} ${fold(given)}`
      : `${fold(surname)} ${fold(middle)} ${fold(given)}`;
    const year = 1950 + ((rand() * 56) | 0);
    const dateOfBirth = `${year}-${String(1 + ((rand() * 12) | 0)).padStart(2, '0')}-${String(1 + ((rand() * 28) | 0)).padStart(2, '0')}`;
    const cg = (year >= 2000 ? 2 : 0) + (male ? 0 : 1);
    const cccd = rand() < withCccd ? `${province ?? pickProvince(rand())}${cg}${String(year % 100).padStart(2, '0')}${nums(6)}` : null;
    const phone = rand() < 0.92 ? `${choose(PHONE_PREFIXES)}${nums(7)}` : null;
    const email = rand() < 0.25 ? `${foldedName.replace(/ /g, '')}${nums(2)}@demo.motcua.invalid` : null;
    const address =
      rand() < 0.96
        ? `${rand() < 0.7 ? `Số ${1 + ((rand() * 300) | 0)}, đường ${choose(STREETS)}` : `Tổ ${1 + ((rand() * 12) | 0)}, ấp ${1 + ((rand() * 9) | 0)}`}, ${choose(PLACES)}, tỉnh Bình Phước`
        : null;
    return { id: crypto.randomUUID(), fullName, foldedName, male, dateOfBirth, cccd, phone, email, address };
  };

  // ── portal citizens (VNeID level 2, the simulator's issuer): a pool, and the --fifty with exactly 50 dossiers ──
  const crnd = prng(opts.seed * 7919 + 29);
  const cccds = new Set<string>();
  const newCitizen = (province?: string): Person => {
    for (;;) {
      const p = makePerson(crnd, 1, province);
      if (p.cccd && !cccds.has(p.cccd)) {
        cccds.add(p.cccd);
        return p;
      }
    }
  };
  const pool = Array.from({ length: Math.max(1, Math.round(opts.dossiers / DOSSIERS_PER_CITIZEN)) }, () => newCitizen());
  const fiftyCitizens = Array.from({ length: Math.min(opts.fifty, Math.floor(opts.dossiers / 1000)) }, () => newCitizen(FIFTY_PROVINCE));
  /** Which dossiers (by order of generation) are a --fifty citizen's: 50 each, anywhere in the span. */
  const fiftyOf = new Map<number, number>();
  for (let c = 0; c < fiftyCitizens.length; c++) {
    for (let n = 0; n < FIFTY; ) {
      const o = Math.floor(crnd() * opts.dossiers);
      if (fiftyOf.has(o)) continue;
      fiftyOf.set(o, c);
      n++;
    }
  }
  let ordinal = 0;
  {
    const subjects = new Set<string>();
    const rows = [...pool, ...fiftyCitizens].map((p) => {
      let subject: string;
      do subject = `TECH-${opts.seed}${String((crnd() * 1e8) | 0).padStart(8, '0')}-${String((crnd() * 1e4) | 0).padStart(4, '0')}`;
      while (subjects.has(subject));
      subjects.add(subject);
      return {
        i: p.id,
        s: subject,
        c: p.cccd,
        n: p.fullName,
        b: p.dateOfBirth,
        g: p.male ? 'male' : 'female',
        a: p.address,
        p: p.phone,
        e: p.email,
      };
    });
    for (let at = 0; at < rows.length; at += opts.chunk) {
      await db.execute(sql`
        insert into citizens (id, issuer, subject, tech_id, account_type, cccd, full_name, date_of_birth, gender, address, phone, email, loa)
        select x.i, ${config.vneid.issuer}, x.s, x.s, 1, x.c, x.n, x.b::date, x.g, x.a, x.p, x.e, 2
        from json_to_recordset(${JSON.stringify(rows.slice(at, at + opts.chunk))}::json)
             as x(i uuid, s text, c text, n text, b text, g text, a text, p text, e text)`);
    }
    console.log(
      `Added ${fmtInt(rows.length)} portal citizens (issuer ${config.vneid.issuer}, level 2), ${fiftyCitizens.length} of them with exactly ${FIFTY} dossiers. ${elapsed()}`,
    );
  }

  // ── how many dossiers each reception day gets: growth, weekday, season, noise ──
  const dayWeights = receptionDays.map((k, i) => {
    const d = line.days[k]!;
    const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
    const month = Number(d.slice(5, 7));
    const growth = 0.8 + 0.4 * (i / Math.max(1, receptionDays.length - 1));
    const dow = [0.6, 1.15, 1.05, 1, 1, 0.95, 0.6][wd]!;
    const season = month === 1 ? 1.15 : month === 2 ? 0.8 : month === 12 ? 1.1 : 1;
    let w = growth * dow * season * (0.85 + 0.3 * rnd());
    // Today: only the part of the day already gone.
    const avail = Math.min(M, nowPos - k * M);
    if (avail < M) w *= avail / M;
    return w;
  });
  const weightSum = dayWeights.reduce((a, b) => a + b, 0);
  const perDay: number[] = [];
  {
    let cum = 0;
    let given = 0;
    for (const w of dayWeights) {
      cum += w;
      const upto = Math.round((cum / weightSum) * opts.dossiers);
      perDay.push(upto - given);
      given = upto;
    }
  }

  // ── the per-agency, per-day code counters already in use in the span ──
  const counters = new Map<string, number>();
  for (const c of await queryRows<{ agency_code: string; day: string; last: number }>(
    db,
    sql`select agency_code, day::text as day, last from dossier_code_counters where day >= ${startDay}::date`,
  )) {
    counters.set(`${c.agency_code}|${c.day}`, c.last);
  }
  const lookupCodes = new Set<string>();
  const newLookup = () => {
    for (;;) {
      let s = '';
      for (let i = 0; i < 10; i++) s += LOOKUP_ALPHABET[(rnd() * 32) | 0];
      if (!lookupCodes.has(s)) {
        lookupCodes.add(s);
        return s;
      }
    }
  };

  console.log(
    `Creating ${fmtInt(opts.dossiers)} dossiers (${versions.length} procedures, ${agencyShare.size} agencies) from ${startDay} to ${today}` +
      ` — ${fmtInt(receptionDays.length)} working days; ${fmtInt(before)} dossiers already present.`,
  );

  const stats: Record<string, number> = {};
  const isoOf = (p: number) => line.at(p).toISOString();
  const stepShare = (v: Version, idx: number) => {
    const s = v.steps[idx]!;
    return Math.max(1, Math.round(limitKindOf(v) === 'days' ? s.share * M : s.share * 60));
  };
  const who = (v: Version, idx: number): Who | null => {
    const xs = v.actors[idx];
    return xs?.length ? xs[(rnd() * xs.length) | 0]! : null;
  };

  /** One dossier: its applicant, timeline and where it stands now; pushes its rows into the chunk. */
  const makeDossier = (chunk: Chunk, v: Version, day: string, R: number) => {
    // Due date, exactly as reception computes it (countingStart + dueAt), on the line.
    let D: number;
    const k = line.index.get(day)!;
    // "Sau 15 giờ": after 15:00:00, as dueAt reads it (15:00 itself is not after).
    const received = line.at(R);
    const late = v.after1500 && received.getTime() > atLocal(localDate(received), 15 * 60).getTime();
    if (v.workingHours && v.workingHours > 0) {
      D = (late ? (k + 1) * M : R) + Math.round(v.workingHours * 60);
    } else {
      // The close of the Nth working day after the (deemed) reception day; N = 0 ("trong ngày"): of that day.
      D = (k + (late ? 1 : 0) + (v.workingDays ?? 0)) * M + M;
    }
    const T = Math.max(D - R, 30);

    // The applicant, and who submitted it: a citizen of the portal (online, channel 2: citizen_id), a citizen who
    // came to the counter (their CCCD as applicant_id_number), or someone who never logged in on the portal.
    const ord = ordinal++;
    const fifty = fiftyOf.get(ord);
    let citizen: Person | null = null;
    let channel: 1 | 2 | 3;
    if (fifty !== undefined) {
      citizen = fiftyCitizens[fifty]!;
      channel = rnd() < 0.4 ? 2 : rnd() < 0.95 ? 1 : 3;
    } else {
      const r = rnd();
      channel = r < ONLINE_SHARE ? 2 : r < 0.95 ? 1 : 3;
      if (channel === 2 || rnd() < CITIZEN_AT_COUNTER) citizen = pool[(rnd() * pool.length) | 0]!;
    }
    // Now and then a citizen submits online for someone else (Người được ủy quyền): the dossier names the principal.
    const onBehalf = channel === 2 && rnd() < 0.08;
    const person = citizen && !onBehalf ? citizen : makePerson(rnd, onBehalf ? 1 : 0.88);
    const { fullName, foldedName, cccd, phone } = person;
    const organisation =
      BUSINESS_SECTORS.has(v.sectorCode) && rnd() < 0.8 ? `${pick(COMPANY_KINDS)} ${pick(COMPANY_TRADES)} ${pick(COMPANY_NAMES)}` : null;
    const applicant: Applicant = { fullName, cccd, phone, email: person.email, address: person.address };
    if (organisation) applicant.organisation = organisation;
    if (channel === 2 && citizen) {
      applicant.dateOfBirth = person.dateOfBirth;
      applicant.gender = person.male ? 'male' : 'female';
      if (onBehalf)
        applicant.representative = { fullName: citizen.fullName, cccd: citizen.cccd, phone: citizen.phone, email: citizen.email };
    }
    const submitter = channel === 2 ? citizen : null;

    // The code: agency, day, the agency's next number that day.
    const ckey = `${v.agencyCode}|${day}`;
    const seq = (counters.get(ckey) ?? 0) + 1;
    if (seq > 9999) throw new Error(`more than 9999 dossiers for ${v.agencyCode} on ${day}: use a larger --years`);
    counters.set(ckey, seq);
    chunk.counters.set(ckey, seq);
    const code = `${v.agencyCode}-${day.slice(2, 4)}${day.slice(5, 7)}${day.slice(8, 10)}-${String(seq).padStart(4, '0')}`;

    // The timeline, in working minutes: handover H, approval A, finish F, pick-up P.
    const receiver = who(v, v.reception);
    const o = rnd();
    const fate = o < 0.012 ? 'refuse' : o < 0.016 ? 'stop' : 'normal';
    const f = rnd() < 0.06 ? 1.01 + rnd() * 0.5 : 0.25 + rnd() * 0.73;
    const F = sec(R + f * T);
    const H = sec(R + (0.03 + rnd() * 0.1) * (F - R));
    const A = sec(R + (0.75 + rnd() * 0.15) * (F - R));
    const u = rnd();
    // Picked up the same day mostly; some after days or weeks; a few never (the result waits).
    const P = sec(u < 0.7 ? F + rnd() * M : u < 0.95 ? F + M + rnd() * 4 * M : u < 0.995 ? F + 5 * M + rnd() * 20 * M : Infinity);
    // Some never move on after some point (forgotten, or the applicant never came back): the overdue backlog.
    const stuck = rnd() < 0.012;
    const E = stuck ? sec(Math.min(nowPos, R + rnd() * Math.max(F - R, 1) * 1.2)) : nowPos;

    let status: string;
    let step: number;
    let stepStart: number;
    let clockStop: number | null = null;
    let finished: number | null = null;
    let returned: number | null = null;
    let returnChannel: number | null = null;
    /** Who approved (and recorded) the result of a dossier done or returned: its dossier_results row. */
    let approvedBy: Who | null = null;
    let last: EventRow | null = null;
    const ev = (
      at: number,
      action: string,
      from: string | undefined,
      to: string,
      st: number,
      actor: Who | null,
      note?: string,
      data?: Record<string, unknown>,
    ): EventRow => ({
      t: isoOf(at),
      a: actor?.id,
      al: actor?.label ?? 'he-thong',
      ac: action,
      fs: from,
      ts: to,
      st,
      n: note,
      dt: data,
    });
    const terminalAt = sec(
      fate === 'refuse'
        ? rnd() < 0.7
          ? R + rnd() * 0.6 * (H - R)
          : H + rnd() * (A - H)
        : fate === 'stop'
          ? H + rnd() * (A - H)
          : Infinity,
    );

    if (terminalAt <= E) {
      const atReception = terminalAt < H;
      step = atReception ? v.reception : v.processing;
      stepStart = atReception ? R : H;
      status = fate === 'refuse' ? 'refused' : 'stopped';
      finished = terminalAt;
      const from = atReception ? 'received' : 'processing';
      last = ev(terminalAt, fate, from, status, step, who(v, step), fate === 'refuse' ? pick(REFUSALS) : pick(STOPS));
    } else if (!stuck && E >= P) {
      status = 'returned';
      step = v.result;
      stepStart = F;
      finished = F;
      returned = P;
      returnChannel = channel === 2 && rnd() < 0.5 ? 2 : 1;
      approvedBy = who(v, v.approval) ?? who(v, v.result) ?? receiver;
      last = ev(P, 'return_result', 'done', 'returned', step, who(v, step), undefined, { returnChannel });
    } else if (E >= F || (stuck && rnd() < 0.2)) {
      status = 'done';
      step = v.result;
      stepStart = Math.min(F, E);
      finished = stepStart;
      approvedBy = who(v, v.approval) ?? who(v, v.result) ?? receiver;
      last = ev(stepStart, 'approve', 'processing', 'done', step, approvedBy, undefined, {
        fromStep: v.approval,
        toStep: v.result,
      });
    } else if (E >= A) {
      status = 'processing';
      step = v.approval;
      stepStart = A;
      last = ev(A, 'handover', 'processing', 'processing', step, who(v, v.processing), undefined, {
        fromStep: v.processing,
        toStep: v.approval,
      });
    } else if (E >= H) {
      status = 'processing';
      step = v.processing;
      stepStart = H;
      last = ev(H, 'handover', 'received', 'processing', step, receiver, undefined, { fromStep: v.reception, toStep: v.processing });
    } else {
      status = 'received';
      step = v.reception;
      stepStart = R;
      // Submitted online and not accepted yet (Mới đăng ký): the reception desk has not got to it.
      if (submitter && rnd() < 0.6) status = 'submitted';
    }
    // Waiting for the applicant's supplement, the clock stopped.
    if ((status === 'received' || status === 'processing') && step !== v.approval && rnd() < (stuck ? 0.35 : 0.1)) {
      clockStop = sec(stepStart + rnd() * Math.max(E - stepStart, 1));
      const items = [pick(SUPPLEMENT_ITEMS), ...(rnd() < 0.3 ? [pick(SUPPLEMENT_ITEMS)] : [])];
      last = ev(clockStop, 'request_supplement', status, 'supplement', step, who(v, step), `Đề nghị bổ sung: ${items.join('; ')}.`, {
        items,
        resumeStatus: status,
      });
      status = 'supplement';
    }
    stats[status] = (stats[status] ?? 0) + 1;

    const id = crypto.randomUUID();
    const receivedIso = isoOf(R);
    const submitted = status === 'submitted';
    // Online: submitted earlier the same day, accepted at R (acceptance sets received_at and the due date from its
    // own time); still 'submitted': R is the submission, received_at provisional as Nộp hồ sơ writes it.
    const S = submitter && !submitted ? sec(k * M + rnd() * (R - k * M)) : R;
    const createdIso = isoOf(S);
    chunk.dossiers.push({
      ab: approvedBy?.id,
      i: id,
      c: code,
      l: newLookup(),
      v: v.id,
      ch: channel,
      s: status,
      ap: applicant,
      f: cccd && phone ? `${foldedName} ${cccd} ${phone}` : cccd || phone ? `${foldedName} ${cccd ?? phone}` : foldedName,
      r: receivedIso,
      d: isoOf(D),
      cs: step,
      ss: isoOf(stepStart),
      // A same-day dossier's steps are due by the dossier at the latest (dossiers/steps.ts stepDueAt).
      sd: isoOf(limitKindOf(v) === 'same_day' ? Math.min(stepStart + stepShare(v, step), D) : stepStart + stepShare(v, step)),
      cst: clockStop === null ? undefined : isoOf(clockStop),
      fi: finished === null ? undefined : isoOf(finished),
      re: returned === null ? undefined : isoOf(returned),
      rc: returnChannel ?? undefined,
      rb: submitted ? undefined : receiver?.id,
      ci: submitter?.id,
      an: cccd ?? undefined,
      ca: createdIso,
      u: last ? (last.t as string) : createdIso,
    });
    if (submitter) {
      chunk.events.push({
        i: id,
        t: createdIso,
        k: 'citizen',
        a: submitter.id,
        al: `citizen:${submitter.id}`,
        ac: 'submit',
        ts: 'submitted',
        st: v.reception,
        dt: { channel: 2, files: 0, onBehalf },
      });
      if (!submitted)
        chunk.events.push({ i: id, ...ev(R, 'accept', 'submitted', 'received', v.reception, receiver, undefined, { dueAt: isoOf(D) }) });
      // The fee, paid on the payment platform once the dossier was accepted (most; the others still show as owed).
      if (v.fee > 0 && !submitted && status !== 'refused' && status !== 'stopped' && rnd() < 0.9) {
        const paidAt = isoOf(sec(R + rnd() * Math.max(1, Math.min(E, F) - R)));
        chunk.payments.push({ i: crypto.randomUUID(), d: id, c: submitter.id, m: v.fee, t: `SEED-${crypto.randomUUID()}`, p: paidAt });
      }
    } else {
      chunk.events.push({
        i: id,
        ...ev(R, 'receive', undefined, 'received', v.reception, receiver, undefined, { channel, dueAt: isoOf(D) }),
      });
    }
    if (last) chunk.events.push({ i: id, ...last });
  };

  // ── insert: one transaction per chunk, several in flight ──
  const insertChunk = async (chunk: Chunk) => {
    // The flags the statistics read (migration 0047), from each dossier's history: accepted, and how many supplements.
    const flags = new Map<unknown, { acc: boolean; sr: number }>();
    for (const e of chunk.events) {
      const f = flags.get(e.i) ?? { acc: false, sr: 0 };
      if (e.ac === 'receive' || e.ac === 'accept') f.acc = true;
      if (e.ac === 'request_supplement') f.sr += 1;
      flags.set(e.i, f);
    }
    for (const d of chunk.dossiers) Object.assign(d, flags.get(d.i) ?? { acc: false, sr: 0 });
    const dossierJson = JSON.stringify(chunk.dossiers);
    const eventJson = JSON.stringify(chunk.events);
    const paymentJson = JSON.stringify(chunk.payments);
    const counterJson = JSON.stringify([...chunk.counters].map(([key, last]) => ({ a: key.split('|')[0], d: key.split('|')[1], l: last })));
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local synchronous_commit = off`);
      // History, not news: no status records for the national portal (the outbox trigger of migration 0044, decision 0024).
      await tx.execute(sql`set local motcua.national_outbox = 'off'`);
      // Nor counted one chunk at a time: the statistics' counters are taken once, from all the dossiers, at the end.
      await tx.execute(sql`set local motcua.stats_counts = 'off'`);
      await tx.execute(sql`
        insert into dossiers (id, code, lookup_code, agency_unit_id, procedure_version_id, channel, status, applicant, applicant_folded,
                              received_at, due_at, current_step, current_unit_id, "current_role", sector_id, procedure_id,
                              step_started_at, step_due_at, clock_stopped_at, finished_at, returned_at, return_channel, received_by,
                              citizen_id, applicant_id_number, created_at, updated_at, accepted, supplement_requests)
        select x.i, x.c, x.l, (pv.unit_ids->>0)::uuid, x.v, x.ch, x.s, x.ap, x.f,
               x.r, x.d, x.cs, coalesce((pv.steps->x.cs->>'unitId')::uuid, (pv.unit_ids->>0)::uuid), pv.steps->x.cs->>'role', pv.sector_id, pv.procedure_id,
               x.ss, x.sd, x.cst, x.fi, x.re, x.rc, x.rb, x.ci, x.an, x.ca, x.u, x.acc, x.sr
        from json_to_recordset(${dossierJson}::json) as x(i uuid, c text, l text, v uuid, ch int, s text, ap jsonb, f text, r timestamptz,
             d timestamptz, cs int, ss timestamptz, sd timestamptz, cst timestamptz, fi timestamptz, re timestamptz, rc int, rb uuid,
             ci uuid, an text, ca timestamptz, u timestamptz, acc boolean, sr int)
        join procedure_versions pv on pv.id = x.v`);
      await tx.execute(sql`
        insert into dossier_events (dossier_id, at, actor_kind, actor_id, actor_label, action, from_status, to_status, step, note, data)
        select x.i, x.t, coalesce(x.k, 'official'), x.a, x.al, x.ac, x.fs, x.ts, x.st, x.n, coalesce(x.dt, '{}'::jsonb)
        from json_to_recordset(${eventJson}::json) as x(i uuid, t timestamptz, k text, a uuid, al text, ac text, fs text, ts text, st int, n text, dt jsonb)`);
      // Approved dossiers carry their approved result (src/dossiers/result-guard.ts: Trả kết quả needs it), recorded by
      // their approver and signed on the day of approval.
      await tx.execute(sql`
        insert into dossier_results (dossier_id, kind, number, signed_on, summary, recorded_by, recorded_at, approved_at)
        select d.id, 'document', right(d.code, 4) || '/KQ', (d.finished_at at time zone 'Asia/Ho_Chi_Minh')::date, pv.name, x.ab,
               d.finished_at, d.finished_at
        from json_to_recordset(${dossierJson}::json) as x(i uuid, ab uuid)
        join dossiers d on d.id = x.i
        join procedure_versions pv on pv.id = d.procedure_version_id
        where x.ab is not null and d.finished_at is not null`);
      if (chunk.payments.length)
        await tx.execute(sql`
          insert into payments (id, dossier_id, citizen_id, amount, status, provider_transaction_id, created_at, expires_at, paid_at)
          select x.i, x.d, x.c, x.m, 'paid', x.t, x.p - interval '3 minutes', x.p + interval '12 minutes', x.p
          from json_to_recordset(${paymentJson}::json) as x(i uuid, d uuid, c uuid, m int, t text, p timestamptz)`);
      await tx.execute(sql`
        insert into dossier_code_counters (agency_code, day, last)
        select x.a, x.d::date, x.l from json_to_recordset(${counterJson}::json) as x(a text, d text, l int)
        on conflict (agency_code, day) do update set last = greatest(dossier_code_counters.last, excluded.last)`);
    });
  };

  let done = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const dispatch = async (chunk: Chunk) => {
    while (inFlight.size >= parallel) await Promise.race(inFlight);
    if (failure) throw failure;
    const p = insertChunk(chunk)
      .then(() => {
        done += chunk.dossiers.length;
        const secs = (Date.now() - started) / 1000;
        console.log(
          `  ${fmtInt(done).padStart(11)} / ${fmtInt(opts.dossiers)} dossiers (${((done / opts.dossiers) * 100).toFixed(0).padStart(3)}%)` +
            `  ${chunk.firstDay}…${chunk.lastDay}  ${secs.toFixed(1)} s`,
        );
      })
      .catch((err: unknown) => {
        // Shortened: the failed query's parameter is megabytes of JSON.
        const cause = (err as { cause?: { message?: string; detail?: string } }).cause;
        failure ??= new Error(
          `inserting ${chunk.firstDay}…${chunk.lastDay} failed: ${cause?.message ?? (err as Error).message?.slice(0, 500)}${cause?.detail ? ` (${cause.detail})` : ''}`,
        );
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const genStarted = Date.now();
  const emptyChunk = (): Chunk => ({ dossiers: [], events: [], payments: [], counters: new Map(), firstDay: '', lastDay: '' });
  let chunk = emptyChunk();
  for (let i = 0; i < receptionDays.length; i++) {
    const k = receptionDays[i]!;
    const n = perDay[i]!;
    if (n <= 0) continue;
    const day = line.days[k]!;
    const avail = Math.min(M, nowPos - k * M);
    // The day's receptions in time order, so each agency's numbers follow the clock.
    const offsets = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let off = sec(1 + rnd() * (avail - 2));
      // Not on the closing minute of a period (11:30:00 is no longer office hours).
      if (boundaries.has(off)) off += 1 / 60;
      offsets[j] = off;
    }
    offsets.sort();
    if (!chunk.firstDay) chunk.firstDay = day;
    for (let j = 0; j < n; j++) makeDossier(chunk, pickVersion(rnd()), day, k * M + offsets[j]!);
    chunk.lastDay = day;
    // Let the chunks in flight make progress (a connection being opened times out after 5 s of a busy loop).
    await new Promise((resolve) => setImmediate(resolve));
    if (chunk.dossiers.length >= opts.chunk) {
      await dispatch(chunk);
      chunk = emptyChunk();
    }
  }
  if (chunk.dossiers.length) await dispatch(chunk);
  while (inFlight.size) await Promise.race(inFlight);
  if (failure) throw failure;
  const loadSecs = (Date.now() - genStarted) / 1000;
  console.log(`Loaded ${fmtInt(done)} dossiers in ${loadSecs.toFixed(1)} s (${fmtInt(Math.round(done / loadSecs))} dossiers/s).`);

  const countersStarted = Date.now();
  const statsRows = await rebuildCounters(db);
  console.log(
    `Statistics counters taken from the dossiers: ${fmtInt(statsRows)} rows in ${((Date.now() - countersStarted) / 1000).toFixed(1)} s.`,
  );

  const analyzeStarted = Date.now();
  // VACUUM also sets the visibility map, so index-only scans work at once, as on a settled database.
  for (const t of ['citizens', 'dossiers', 'dossier_events', 'dossier_code_counters', 'payments', 'stats_counts'])
    await db.execute(sql.raw(`vacuum (analyze) ${t}`));
  console.log(`VACUUM (ANALYZE): ${((Date.now() - analyzeStarted) / 1000).toFixed(1)} s`);

  const counts = await queryRows<{ status: string; n: number }>(
    db,
    sql`select status, count(*)::int as n from dossiers group by status order by n desc`,
  );
  const [{ events = 0, total = 0 } = {}] = await queryRows<{ events: number; total: number }>(
    db,
    sql`select (select count(*)::int from dossier_events) as events, (select count(*)::int from dossiers) as total`,
  );
  const [{ size = '' } = {}] = await queryRows<{ size: string }>(
    db,
    sql`select pg_size_pretty(pg_total_relation_size('dossiers')) as size`,
  );
  console.log(`\nIn the database: ${fmtInt(total)} dossiers (table and indexes ${size}), ${fmtInt(events)} events.`);
  for (const c of counts) console.log(`  ${c.status.padEnd(11)} ${fmtInt(c.n).padStart(11)}  (just added ${fmtInt(stats[c.status] ?? 0)})`);
  console.log(`Total time: ${elapsed()}`);
  await database.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
