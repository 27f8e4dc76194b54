/**
 * Synthetic demo officials: deterministic (same data on every machine), never real people.
 * Names are drawn from common Vietnamese name parts; CCCD numbers are made consistent with
 * the drawn date of birth and gender, with random trailing digits.
 */
import { centuryGenderDigit } from '../accounts/cccd.js';
import { foldVietnamese } from '../shared/text.js';
import type { Role } from '../db/schema/index.js';
import { prng } from '../shared/prng.js';

export type DemoOfficial = {
  username: string;
  unitKey: string;
  middleName: string;
  givenName: string;
  position: string;
  gender: 'male' | 'female';
  dateOfBirth: string;
  /** The CCCD the person really has (the population simulator knows it for everyone). */
  identityCccd: string;
  /** The CCCD entered in the app: null for officials whose identity is not bound yet. */
  cccd: string | null;
  /** Bound and already verified against the registry: can log in with VNeID from the start. */
  verified: boolean;
  issueDate: string;
  mobile: string;
  email: string;
  roles: Array<{ unitKey: string; role: Role }>;
};

const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = { male: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành'], female: ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ'] };
const GIVEN = {
  male: [
    'An',
    'Bình',
    'Cường',
    'Dũng',
    'Hải',
    'Hùng',
    'Khoa',
    'Long',
    'Nam',
    'Phúc',
    'Quang',
    'Sơn',
    'Tài',
    'Thắng',
    'Trung',
    'Tuấn',
    'Việt',
  ],
  female: [
    'Anh',
    'Chi',
    'Diệp',
    'Hà',
    'Hạnh',
    'Hoa',
    'Hương',
    'Lan',
    'Linh',
    'Mai',
    'Nga',
    'Ngân',
    'Phương',
    'Thảo',
    'Thủy',
    'Trang',
    'Yến',
  ],
};
const BIRTH_PROVINCES = ['070', '070', '070', '075', '079', '038', '001', '074', '072'];

/** statisticsAt: Xem thống kê at a unit above the slot's own (a Sở's leaders sit in its Lãnh đạo division). */
type Slot = { unitKey: string; position: string; roles: Role[]; username?: string; adminAt?: string; statisticsAt?: string };

/** Who works where: admins first, then reception, processing and approval staff. */
const SLOTS: Slot[] = [
  { unitKey: 'tinh', position: 'Quản trị hệ thống', roles: [], username: 'quantri1', adminAt: 'tinh' },
  { unitKey: 'sct-vp', position: 'Chuyên viên CNTT', roles: [], username: 'admin.sct', adminAt: 'sct' },
  { unitKey: 'snv-vp', position: 'Chuyên viên CNTT', roles: [], username: 'admin.snv', adminAt: 'snv' },
  { unitKey: 'dx-vp', position: 'Chuyên viên CNTT', roles: [], username: 'admin.dx', adminAt: 'dx' },
  { unitKey: 'sct-ld', position: 'Giám đốc', roles: ['approval'], statisticsAt: 'sct' },
  { unitKey: 'sct-ld', position: 'Phó Giám đốc', roles: ['approval'], statisticsAt: 'sct' },
  { unitKey: 'sct-vp', position: 'Chuyên viên', roles: ['reception', 'result'] },
  { unitKey: 'sct-qlcn', position: 'Trưởng phòng', roles: ['processing', 'approval'] },
  { unitKey: 'sct-qlcn', position: 'Chuyên viên', roles: ['processing'] },
  { unitKey: 'sct-qltm', position: 'Trưởng phòng', roles: ['processing', 'approval'] },
  { unitKey: 'sct-qltm', position: 'Chuyên viên', roles: ['processing'] },
  { unitKey: 'sct-qlnl', position: 'Chuyên viên', roles: ['processing'] },
  { unitKey: 'sct-tt', position: 'Thanh tra viên', roles: ['processing'] },
  { unitKey: 'sct-tt-kc', position: 'Viên chức', roles: ['processing'] },
  { unitKey: 'vp', position: 'Chánh Văn phòng', roles: ['approval'], statisticsAt: 'tinh' },
  { unitKey: 'vp', position: 'Chuyên viên', roles: ['reception', 'result'] },
  { unitKey: 'sgd', position: 'Chuyên viên', roles: ['reception', 'processing'] },
  { unitKey: 'sgd', position: 'Phó Giám đốc', roles: ['approval'] },
  { unitKey: 'sgtvt', position: 'Chuyên viên', roles: ['reception', 'processing'] },
  { unitKey: 'sgtvt', position: 'Trưởng phòng', roles: ['approval'] },
  { unitKey: 'skhdt', position: 'Chuyên viên', roles: ['reception', 'processing'] },
  { unitKey: 'skhdt', position: 'Phó Giám đốc', roles: ['approval'] },
  { unitKey: 'skhcn', position: 'Chuyên viên', roles: ['reception', 'processing'] },
  { unitKey: 'sldtbxh', position: 'Chuyên viên', roles: ['reception', 'processing'] },
  { unitKey: 'snv-vp', position: 'Chuyên viên', roles: ['reception', 'result'] },
  { unitKey: 'snv-tcbc', position: 'Trưởng phòng', roles: ['processing', 'approval'] },
  { unitKey: 'snv-tcbc', position: 'Chuyên viên', roles: ['processing'] },
  { unitKey: 'dx-vp', position: 'Phó Chủ tịch', roles: ['approval'] },
  { unitKey: 'dx-vp', position: 'Chuyên viên', roles: ['reception', 'processing', 'result'] },
  { unitKey: 'dx-tanphu', position: 'Công chức Văn phòng - Thống kê', roles: ['reception', 'processing', 'result'] },
  { unitKey: 'dx-tanphu', position: 'Chủ tịch', roles: ['approval'] },
  { unitKey: 'dx-tanbinh', position: 'Công chức Tư pháp - Hộ tịch', roles: ['reception', 'processing', 'result'] },
  { unitKey: 'bd-vp', position: 'Chuyên viên', roles: ['reception', 'processing', 'result'] },
  { unitKey: 'bd-minhhung', position: 'Công chức Tư pháp - Hộ tịch', roles: ['reception', 'processing', 'result'] },
  { unitKey: 'bd-minhhung', position: 'Phó Chủ tịch', roles: ['approval'] },
];

export function demoOfficials(): DemoOfficial[] {
  const rnd = prng(20241020);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const used = new Set<string>();
  const out: DemoOfficial[] = [];
  SLOTS.forEach((slot, i) => {
    // The Sở Công Thương clerk is a Thủy, so the no-diacritics search can be shown ("thuy").
    const gender: 'male' | 'female' = i === 6 ? 'female' : rnd() < 0.5 ? 'male' : 'female';
    const surname = pick(SURNAMES);
    const middle = `${surname} ${pick(MIDDLE[gender])}`;
    const given = i === 6 ? 'Thủy' : pick(GIVEN[gender]);
    const year = 1968 + Math.floor(rnd() * 32);
    const month = 1 + Math.floor(rnd() * 12);
    const day = 1 + Math.floor(rnd() * 28);
    const dob = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const tail = String(Math.floor(rnd() * 1_000_000)).padStart(6, '0');
    const cccd = `${pick(BIRTH_PROVINCES)}${centuryGenderDigit(year, gender)}${String(year % 100).padStart(2, '0')}${tail}`;
    const initials = middle
      .split(' ')
      .map((w) => foldVietnamese(w)[0])
      .join('');
    let username = slot.username ?? `${foldVietnamese(given)}${initials}.${slot.unitKey.split('-')[0]}`;
    while (used.has(username)) username = `${username}${used.size % 10}`;
    used.add(username);
    out.push({
      username,
      unitKey: slot.unitKey,
      middleName: middle,
      givenName: given,
      position: slot.position,
      gender,
      dateOfBirth: dob,
      identityCccd: cccd,
      // Every fifth official has no identity data yet, as in a real cutover; every third bound one is verified.
      cccd: i % 5 === 4 ? null : cccd,
      verified: i % 5 !== 4 && i % 3 === 0,
      issueDate: `${2021 + (i % 3)}-0${1 + (i % 9)}-1${i % 10}`,
      mobile: `09${String(Math.floor(rnd() * 100_000_000)).padStart(8, '0')}`,
      email: `${username.replace(/\./g, '_')}@demo.motcua.invalid`,
      roles: [
        ...slot.roles.map((role) => ({ unitKey: slot.unitKey, role })),
        ...(slot.adminAt ? [{ unitKey: slot.adminAt, role: 'admin' as Role }] : []),
        ...(slot.statisticsAt ? [{ unitKey: slot.statisticsAt, role: 'statistics' as Role }] : []),
      ],
    });
  });
  return out;
}
