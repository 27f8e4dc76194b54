/**
 * Tờ khai điện tử: a procedure version's declaration fields (typed by administrators, one per line), answered on Nộp
 * hồ sơ, kept in the draft across refusals and a lapsed session, stored with the dossier with their labels, read by
 * the official and by the citizen — and, beside each use, its abuse: missing, over-long and wrongly typed answers, a
 * field the procedure does not ask for, and an edit of the procedure after submission.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, useDemoApp } from './support/fixtures.js';
import { procedureForm } from './support/procedure-form.js';
import { citizens, dossierDrafts, dossiers, procedureVersions, sessions, type DeclarationField } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { DeclarationSchema, declarationToText, parseDeclarationText } from '../src/procedures/declaration-form.js';
import { checkDeclaration } from '../src/portal/declaration-input.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { demoOfficials } from '../src/demo/officials.js';
import { sendSubmission } from './support/portal-citizen.js';

const t = useDemoApp();
const POLICY = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const FORM = '/ca-nhan/nop-ho-so';
/** Đăng ký khai sinh: the demo procedure with a tờ khai, received by UBND phường Tân Phú. */
const BIRTH = '1.001193';

type Person = { id: string; client: Client; csrf?: string };

async function citizen(cccd = '001190012345', fullName = 'Trần Thị Mai Anh'): Promise<Person> {
  const [row] = await t.database.db
    .insert(citizens)
    .values({
      issuer: 'https://vneid.test',
      subject: crypto.randomUUID(),
      cccd,
      fullName,
      loa: 2,
      dateOfBirth: '1990-04-12',
      gender: 'female',
    })
    .returning({ id: citizens.id });
  const client = new Client(t.app);
  client.cookies.set(PORTAL_COOKIE, await createCitizenSession(t.database.db, row!.id, POLICY, new Date()));
  return { id: row!.id, client };
}

const pdf = (text: string) => new File([Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`)], `${text}.pdf`, { type: 'application/pdf' });

async function post(p: Person, procedureId: string, fields: Record<string, string>, withFiles = true) {
  p.csrf ??= await p.client.csrf(`${FORM}?thutuc=${procedureId}`);
  const form = new FormData();
  form.set('_csrf', p.csrf);
  form.set('procedureId', procedureId);
  form.set('submissionKey', crypto.randomUUID());
  form.set('phone', '0912345678');
  form.set('address', 'Số 5 đường Thử, phường Tân Phú');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (withFiles) {
    form.set('doc0', pdf('to-khai-khai-sinh'));
    form.set('doc1', pdf('giay-chung-sinh'));
  }
  return sendSubmission(p.client, procedureId, form);
}

/** A complete, valid tờ khai of the demo Đăng ký khai sinh. */
const ANSWERS = {
  tk_ho_ten_tre: 'Nguyễn Minh Khang',
  tk_ngay_sinh_tre: '05/09/2024',
  tk_gioi_tinh_tre: 'Nam',
  tk_noi_sinh: 'Cơ sở khám bệnh, chữa bệnh',
  tk_ho_ten_me: 'Trần Thị Mai Anh',
  tk_ho_ten_cha: '',
  tk_sinh_doi: 'khong',
  tk_ghi_chu: 'Dòng một\r\nDòng hai',
};

/** A day for the schema's own tests (the day in Vietnam, as checkDraft computes it from deps.now()). */
const TODAY = '2025-06-30';

const fieldErrors = (html: string) =>
  Object.fromEntries([...html.matchAll(/class="field-error" id="err-([^"]+)">([^<]+)</g)].map((m) => [m[1], m[2]]));
const mine = (citizenId: string) => t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, citizenId));
const draftOf = async (citizenId: string) =>
  (await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, citizenId)))[0];

async function official(unitKey: string, position: string) {
  const o = demoOfficials().find((x) => x.unitKey === unitKey && x.position === position)!;
  const c = new Client(t.app);
  expect((await c.login(o.username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

describe('the definition (Quản trị → Thủ tục hành chính)', () => {
  it('reads one field per line, diacritics or not, and writes back the same text', () => {
    const parsed = parseDeclarationText(
      [
        'ho_ten | Họ và tên | văn bản | bắt buộc | tối đa 100',
        '',
        'ngay | Ngày | NGAY',
        'so_con | Số con | so | bat buoc',
        'noi | Nơi sinh | lựa chọn: Bệnh viện; Tại nhà ; Nơi khác',
        'co | Có con nuôi? | có / không',
        'ly_do | Lý do | đoạn văn',
      ].join('\n'),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.fields).toEqual([
      { key: 'ho_ten', label: 'Họ và tên', type: 'text', required: true, maxLength: 100 },
      { key: 'ngay', label: 'Ngày', type: 'date', required: false },
      { key: 'so_con', label: 'Số con', type: 'number', required: true },
      { key: 'noi', label: 'Nơi sinh', type: 'choice', required: false, options: ['Bệnh viện', 'Tại nhà', 'Nơi khác'] },
      { key: 'co', label: 'Có con nuôi?', type: 'yesno', required: false },
      { key: 'ly_do', label: 'Lý do', type: 'multiline', required: false, maxLength: 2000 },
    ]);
    expect(DeclarationSchema.safeParse(parsed.fields).success).toBe(true);
    const again = parseDeclarationText(declarationToText(parsed.fields));
    expect(again).toEqual(parsed);
    expect(parseDeclarationText('  \n\n')).toEqual({ ok: true, fields: [] });
  });

  it('names the line of every mistake', () => {
    const parsed = parseDeclarationText(
      [
        'ho_ten | Họ và tên | văn bản',
        'Ho Ten | Họ và tên | văn bản',
        'ngay | Ngày | lịch',
        'ho_ten | Trùng mã | số',
        'chon | Chọn | lựa chọn: Một',
        'ngay_cuoi | Ngày cưới | ngày | tối đa 10',
        'x | Nhãn | văn bản | tối đa 99999',
        'y | Chỉ hai phần',
        'z | Z | văn bản | có thể',
      ].join('\n'),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.messages.map((m) => m.slice(0, 7))).toEqual([
      'Dòng 2:',
      'Dòng 3:',
      'Dòng 4:',
      'Dòng 5:',
      'Dòng 6:',
      'Dòng 7:',
      'Dòng 8:',
      'Dòng 9:',
    ]);
    expect(parsed.messages.join(' ')).toContain('trùng với dòng 1');
    expect(parsed.messages.join(' ')).toContain('Cần ít nhất hai lựa chọn');
    const tooMany = Array.from({ length: 41 }, (_, i) => `f${i} | Trường ${i} | văn bản`).join('\n');
    const many = parseDeclarationText(tooMany);
    expect(many.ok ? [] : many.messages).toEqual(['Tờ khai tối đa 40 trường (đang có 41).']);
  });

  it('the administration page explains the syntax, refuses a wrong line by its number and saves a new version', async () => {
    const { p, v } = await currentProcedure(t.database, BIRTH);
    const admin = new Client(t.app);
    expect((await admin.login('quantri1', TEST_PASSWORD)).status).toBe(303);
    const path = `/tiepnhan/quan-tri/thu-tuc/${p.id}`;
    const page = await admin.get(path);
    expect(page.text).toContain('Cú pháp mỗi dòng');
    expect(page.text).toContain('ho_ten_tre | Họ, chữ đệm và tên của trẻ | văn bản | bắt buộc | tối đa 100');
    const form = (declaration: string) => ({
      code: p.code,
      name: v.name,
      sectorId: v.sectorId,
      unitId: v.unitIds[0]!,
      limitKind: 'hours',
      limit: String(v.workingHours),
      after1500NextDay: '1',
      fee: '0',
      onlineLevel: v.onlineLevel,
      documents: v.documents.map((d) => d.name).join('\n'),
      declaration,
      ...Object.fromEntries(
        v.steps.flatMap((s, i) => [
          [`steps.${i}.name`, s.name],
          [`steps.${i}.unitId`, s.unitId ?? ''],
          [`steps.${i}.role`, s.role],
          [`steps.${i}.share`, String(s.share)],
        ]),
      ),
    });
    const bad = await admin.post(path, form('ho_ten | Họ tên | văn bản\nngay | Ngày | thứ gì'), { csrfFrom: path });
    expect(bad.status).toBe(400);
    expect(fieldErrors(bad.text).declaration).toContain('Dòng 2: kiểu');
    expect(bad.text).toContain('ngay | Ngày | thứ gì');
    const ok = await admin.post(path, form('ho_ten | Họ tên | văn bản | bắt buộc\nco_khong | Đồng ý? | có/không'), { csrfFrom: path });
    expect(ok.status).toBe(303);
    const [v2] = await t.database.db
      .select()
      .from(procedureVersions)
      .where(eq(procedureVersions.procedureId, p.id))
      .orderBy(procedureVersions.version);
    const after = await currentProcedure(t.database, BIRTH);
    expect(v2!.version).toBe(1);
    expect(after.v.version).toBe(2);
    expect(after.v.declaration).toEqual([
      { key: 'ho_ten', label: 'Họ tên', type: 'text', required: true, maxLength: 200 },
      { key: 'co_khong', label: 'Đồng ý?', type: 'yesno', required: false },
    ]);
  });
});

describe('Nộp hồ sơ with a tờ khai', () => {
  it('renders TỜ KHAI as labelled controls; the answers are stored with their labels and read by the official and the citizen', async () => {
    const a = await citizen();
    const proc = await currentProcedure(t.database, BIRTH);
    const form = await a.client.get(`${FORM}?thutuc=${proc.p.id}`);
    expect(form.text).toContain('<legend>TỜ KHAI</legend>');
    expect(form.text).toContain(
      '<label for="tk_ho_ten_tre">Họ, chữ đệm và tên của trẻ (tối đa 100 ký tự) <span class="required">(bắt buộc)</span>',
    );
    expect(form.text).toMatch(/<input id="tk_ho_ten_tre" name="tk_ho_ten_tre" value="" maxlength="100" aria-required="true"/);
    expect(form.text).toContain('<input type="radio" name="tk_sinh_doi" value="co"');
    const res = await post(a, proc.p.id, { ...ANSWERS, do: 'submit' });
    expect(res.status).toBe(303);
    const [d] = await mine(a.id);
    expect(d!.declaration).toEqual([
      { key: 'ho_ten_tre', label: 'Họ, chữ đệm và tên của trẻ', type: 'text', value: 'Nguyễn Minh Khang' },
      { key: 'ngay_sinh_tre', label: 'Ngày sinh của trẻ', type: 'date', value: '2024-09-05' },
      { key: 'gioi_tinh_tre', label: 'Giới tính của trẻ', type: 'choice', value: 'Nam' },
      { key: 'noi_sinh', label: 'Nơi sinh', type: 'choice', value: 'Cơ sở khám bệnh, chữa bệnh' },
      { key: 'ho_ten_me', label: 'Họ, chữ đệm và tên người mẹ', type: 'text', value: 'Trần Thị Mai Anh' },
      { key: 'ho_ten_cha', label: 'Họ, chữ đệm và tên người cha', type: 'text', value: null },
      { key: 'sinh_doi', label: 'Trẻ sinh đôi, sinh ba?', type: 'yesno', value: false },
      { key: 'ghi_chu', label: 'Ghi chú thêm', type: 'multiline', value: 'Dòng một\nDòng hai' },
    ]);
    const own = await a.client.get(`/ca-nhan/ho-so/${d!.id}`);
    expect(own.text).toContain('<dt>Ngày sinh của trẻ</dt><dd>05/09/2024</dd>');
    expect(own.text).toContain('<dt>Trẻ sinh đôi, sinh ba?</dt><dd>Không</dd>');
    expect(own.text).toContain('Dòng một<br/>Dòng hai');
    const clerk = await official('dx-tanphu', 'Công chức Văn phòng - Thống kê');
    const desk = await clerk.get(`/tiepnhan/ho-so/${d!.id}`);
    expect(desk.status).toBe(200);
    expect(desk.text).toContain('<h2 id="to-khai">Tờ khai</h2>');
    expect(desk.text).toContain('<dt>Họ, chữ đệm và tên của trẻ</dt><dd>Nguyễn Minh Khang</dd>');
    expect(desk.text).toContain('<dt>Họ, chữ đệm và tên người cha</dt><dd>—</dd>');
    // Another citizen reads nothing of it.
    const b = await citizen('079088001122', 'Phạm Văn Bình');
    const other = await b.client.get(`/ca-nhan/ho-so/${d!.id}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('Nguyễn Minh Khang');
  });

  it('takes a date as a phone\'s numeric keypad types it (no "/" on it): eight digits, and offers that keypad', async () => {
    const a = await citizen();
    const proc = await currentProcedure(t.database, BIRTH);
    const form = await a.client.get(`${FORM}?thutuc=${proc.p.id}`);
    expect(form.text).toMatch(/<input id="tk_ngay_sinh_tre" name="tk_ngay_sinh_tre" value="" inputmode="numeric" autocomplete="off"/);
    expect(form.text).toContain('hoặc gõ liền 8 chữ số: 05031990');
    expect(form.text).toMatch(/<input id="principalDateOfBirth" name="principalDateOfBirth" inputmode="numeric"/);
    const res = await post(a, proc.p.id, { ...ANSWERS, tk_ngay_sinh_tre: '05092024', do: 'submit' });
    expect(res.status).toBe(303);
    const [d] = await mine(a.id);
    expect(d!.declaration?.find((f) => f.key === 'ngay_sinh_tre')?.value).toBe('2024-09-05');
  });

  it('a missing, over-long or wrongly typed answer is named next to its field; the dossier waits and the draft keeps every answer', async () => {
    const a = await citizen();
    const proc = await currentProcedure(t.database, BIRTH);
    const res = await post(a, proc.p.id, {
      ...ANSWERS,
      do: 'submit',
      tk_ho_ten_tre: '',
      tk_ho_ten_me: 'M'.repeat(101),
      tk_ngay_sinh_tre: '31/02/2024',
      tk_gioi_tinh_tre: 'Không rõ',
      tk_sinh_doi: 'maybe',
      tk_ghi_chu: 'x'.repeat(5000),
    });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toEqual({
      tk_ho_ten_tre: 'Vui lòng điền: Họ, chữ đệm và tên của trẻ.',
      tk_ho_ten_me: 'Họ, chữ đệm và tên người mẹ: tối đa 100 ký tự.',
      tk_ngay_sinh_tre: 'Ngày sinh của trẻ: nhập ngày có thật theo dạng dd/mm/yyyy (ví dụ 05/09/2024).',
      tk_gioi_tinh_tre: 'Giới tính của trẻ: vui lòng chọn một trong các lựa chọn có sẵn.',
      tk_sinh_doi: 'Trẻ sinh đôi, sinh ba?: vui lòng chọn Có hoặc Không.',
      tk_ghi_chu: 'Ghi chú thêm: tối đa 1000 ký tự.',
    });
    expect(res.text).toContain('aria-describedby="err-tk_ho_ten_me"');
    // At the top, every message again as a link to the one beside its field: the form is several screens on a phone.
    const summary = [...res.text.matchAll(/<li><a href="#err-(\w+)">([^<]*)<\/a><\/li>/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(Object.fromEntries(summary)).toEqual(fieldErrors(res.text));
    for (const [name] of summary) expect(res.text).toContain(`id="err-${name}"`);
    expect(res.text).toContain('31/02/2024');
    expect(await mine(a.id)).toHaveLength(0);
    const draft = await draftOf(a.id);
    expect(draft!.fields).toMatchObject({
      tk_ngay_sinh_tre: '31/02/2024',
      tk_noi_sinh: 'Cơ sở khám bệnh, chữa bệnh',
      tk_ho_ten_me: 'M'.repeat(101),
    });
    // The draft keeps at most just past the longest answer a field may allow.
    expect(draft!.fields.tk_ghi_chu).toHaveLength(4001);
    // Shown again on the next visit, corrected, then submitted (the files given the first time are still there).
    const back = await a.client.get(`${FORM}?thutuc=${proc.p.id}`);
    expect(back.text).toContain('value="31/02/2024"');
    expect(back.text).toMatch(/<option value="Cơ sở khám bệnh, chữa bệnh" selected/);
    const fixed = await post(a, proc.p.id, { ...ANSWERS, do: 'submit', tk_so_lan: '3' }, false);
    // A name the tờ khai does not have is refused, not saved, and nothing is submitted until the form is seen again.
    expect(fixed.status).toBe(400);
    expect(fixed.text).toContain('Biểu mẫu có trường không thuộc tờ khai của thủ tục này');
    expect((await draftOf(a.id))!.fields).not.toHaveProperty('tk_so_lan');
    expect(await mine(a.id)).toHaveLength(0);
    const done = await post(a, proc.p.id, { ...ANSWERS, do: 'submit' }, false);
    expect(done.status).toBe(303);
    expect((await mine(a.id))[0]!.declaration?.[0]).toMatchObject({ value: 'Nguyễn Minh Khang' });
  });

  it('numbers and optional yes/no: the value typed is the value stored; wrong types are refused by the schema', () => {
    const fields: DeclarationField[] = [
      { key: 'so', label: 'Số lần', type: 'number', required: true },
      { key: 'co', label: 'Có?', type: 'yesno', required: false },
    ];
    expect(checkDeclaration(fields, { tk_so: '12,5', tk_co: '' }, TODAY)).toEqual({
      ok: true,
      answers: [
        { key: 'so', label: 'Số lần', type: 'number', value: 12.5 },
        { key: 'co', label: 'Có?', type: 'yesno', value: null },
      ],
    });
    for (const bad of ['abc', '1.000', '1e9', '0x10', '12,', 'Infinity']) {
      expect(checkDeclaration(fields, { tk_so: bad }, TODAY)).toEqual({
        ok: false,
        errors: { tk_so: 'Số lần: nhập số, phần thập phân sau dấu phẩy (ví dụ 2 hoặc 12,5).' },
      });
    }
    expect(checkDeclaration(fields, { tk_so: '2', tk_co: 'co\u0000' }, TODAY)).toMatchObject({
      ok: false,
      errors: { tk_co: expect.stringContaining('ký tự điều khiển') },
    });
    // A required question ends with its own question mark: the message does not add a full stop after it.
    expect(checkDeclaration([{ ...fields[1]!, required: true }], {}, TODAY)).toEqual({
      ok: false,
      errors: { tk_co: 'Vui lòng chọn: Có?' },
    });
    expect(checkDeclaration([{ ...fields[0]! }], {}, TODAY)).toEqual({ ok: false, errors: { tk_so: 'Vui lòng điền: Số lần.' } });
    // The form's own fields are no answers: only tk_<key> of the definition is read.
    expect(checkDeclaration(fields, { so: '3', tk_so: '3', tk_khac: 'x' }, TODAY)).toMatchObject({
      ok: true,
      answers: [{ value: 3 }, { value: null }],
    });
  });

  it('a date marked "không sau hôm nay" (a birth date) refuses a day after today in Vietnam; an unmarked date does not', () => {
    const born: DeclarationField = { key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: true, notAfterToday: true };
    const any: DeclarationField = { key: 'ngay_hen', label: 'Ngày hẹn', type: 'date', required: false };
    expect(checkDeclaration([born], { tk_ngay_sinh: '30/06/2025' }, TODAY)).toMatchObject({ ok: true, answers: [{ value: '2025-06-30' }] });
    // Every way of typing a later day is the same day: none slips past.
    for (const later of ['01/07/2025', '01072025', '2025-07-01', '1.7.2025', '01/01/2099']) {
      expect(checkDeclaration([born], { tk_ngay_sinh: later }, TODAY)).toEqual({
        ok: false,
        errors: { tk_ngay_sinh: 'Ngày sinh không được sau ngày hôm nay.' },
      });
    }
    expect(checkDeclaration([any], { tk_ngay_hen: '01/01/2099' }, TODAY)).toMatchObject({ ok: true });
    // The day is Vietnam's: at 00:30 on 1/7 in Hà Nội (17:30 UTC on 30/6) a child born that day is accepted.
    expect(todayInVietnam(new Date('2025-06-30T17:30:00Z'))).toBe('2025-07-01');
  });

  it('the definition writes it as "không sau hôm nay", on dates only', () => {
    const parsed = parseDeclarationText('ngay_sinh | Ngày sinh | ngày | bắt buộc | Không sau hôm nay');
    expect(parsed).toEqual({
      ok: true,
      fields: [{ key: 'ngay_sinh', label: 'Ngày sinh', type: 'date', required: true, notAfterToday: true }],
    });
    if (parsed.ok) expect(declarationToText(parsed.fields)).toBe('ngay_sinh | Ngày sinh | ngày | bắt buộc | không sau hôm nay');
    const wrong = parseDeclarationText('ten | Tên | văn bản | không sau hôm nay');
    expect(wrong).toEqual({ ok: false, messages: ['Dòng 1: "không sau hôm nay" chỉ dùng cho kiểu ngày.'] });
    expect(DeclarationSchema.safeParse([{ key: 'a', label: 'A', type: 'number', required: false, notAfterToday: true }]).success).toBe(
      false,
    );
  });

  it('Đăng ký khai sinh: a child born after today is refused beside its field, nothing submitted; born today is accepted', async () => {
    const a = await citizen();
    const proc = await currentProcedure(t.database, BIRTH);
    const day = (offsetDays: number) =>
      todayInVietnam(new Date(Date.now() + offsetDays * 86_400_000))
        .split('-')
        .reverse()
        .join('/');
    const future = await post(a, proc.p.id, { ...ANSWERS, tk_ngay_sinh_tre: day(2), do: 'submit' });
    expect(future.status).toBe(400);
    expect(fieldErrors(future.text)).toEqual({ tk_ngay_sinh_tre: 'Ngày sinh của trẻ không được sau ngày hôm nay.' });
    expect(future.text).toContain('aria-describedby="err-tk_ngay_sinh_tre"');
    expect(await mine(a.id)).toHaveLength(0);
    // The principal's birth date (Nộp thay) is a birth date too.
    const onBehalf = await post(
      a,
      proc.p.id,
      { ...ANSWERS, onBehalf: '1', principalName: 'Lê Văn Tâm', principalCccd: '079088001122', principalDateOfBirth: day(2), do: 'submit' },
      false,
    );
    expect(onBehalf.status).toBe(400);
    expect(fieldErrors(onBehalf.text)).toMatchObject({ principalDateOfBirth: 'Ngày sinh không được sau ngày hôm nay.' });
    expect(await mine(a.id)).toHaveLength(0);
    const born = await post(a, proc.p.id, { ...ANSWERS, tk_ngay_sinh_tre: day(0), do: 'submit' }, false);
    expect(born.status).toBe(303);
    expect(await mine(a.id)).toHaveLength(1);
  });

  it('answers sent after the session lapsed are kept in the draft, without changing answers already saved', async () => {
    const a = await citizen();
    const proc = await currentProcedure(t.database, BIRTH);
    expect((await post(a, proc.p.id, { do: 'save', tk_ho_ten_tre: 'Tên Đã Lưu' }, false)).status).toBe(200);
    await t.database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - POLICY.idleMs - 60_000) })
      .where(eq(sessions.citizenId, a.id));
    const res = await post(a, proc.p.id, { ...ANSWERS, do: 'submit', tk_ho_ten_tre: 'Tên Ghi Đè' }, false);
    expect(res.status).toBe(303);
    expect(res.location).toContain('/dang-nhap');
    const draft = await draftOf(a.id);
    expect(draft!.fields).toMatchObject({
      tk_ho_ten_tre: 'Tên Đã Lưu',
      tk_ngay_sinh_tre: '05/09/2024',
      tk_ghi_chu: 'Dòng một\r\nDòng hai',
    });
    expect(await mine(a.id)).toHaveLength(0);
  });

  it('an edit of the procedure after submission changes neither the stored answers nor how they read', async () => {
    const a = await citizen();
    const proc = await currentProcedure(t.database, BIRTH);
    expect((await post(a, proc.p.id, { ...ANSWERS, do: 'submit' })).status).toBe(303);
    const [before] = await mine(a.id);
    const admin = await actorFor(t.database, 'quantri1');
    const v = proc.v;
    await saveProcedure(
      t.database.db,
      admin,
      proc.p.id,
      procedureForm(proc.p.code, v, {
        declaration: 'ho_ten_tre | Tên gọi mới của trẻ | văn bản | bắt buộc\nngay_sinh_tre | Ngày sinh | văn bản',
      }),
    );
    expect((await currentProcedure(t.database, BIRTH)).v.version).toBe(2);
    const [after] = await mine(a.id);
    expect(after!.declaration).toEqual(before!.declaration);
    const own = await a.client.get(`/ca-nhan/ho-so/${before!.id}`);
    expect(own.text).toContain('<dt>Họ, chữ đệm và tên của trẻ</dt><dd>Nguyễn Minh Khang</dd>');
    expect(own.text).toContain('<dt>Ngày sinh của trẻ</dt><dd>05/09/2024</dd>');
    expect(own.text).not.toContain('Tên gọi mới của trẻ');
    // The next citizen answers the new tờ khai.
    const b = await citizen('079088001122', 'Phạm Văn Bình');
    const form = await b.client.get(`${FORM}?thutuc=${proc.p.id}`);
    expect(form.text).toContain('Tên gọi mới của trẻ');
    expect(form.text).not.toContain('tk_gioi_tinh_tre');
  });

  it('a procedure without a tờ khai shows no TỜ KHAI section and stores no answers', async () => {
    const a = await citizen();
    const proc = await currentProcedure(t.database, '2.000620');
    expect(proc.v.declaration).toEqual([]);
    const form = await a.client.get(`${FORM}?thutuc=${proc.p.id}`);
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('TỜ KHAI');
    const res = await post(a, proc.p.id, { do: 'submit', tk_chen_vao: 'x' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Biểu mẫu có trường không thuộc tờ khai của thủ tục này');
    expect((await post(a, proc.p.id, { do: 'submit' }, false)).status).toBe(303);
    expect((await mine(a.id))[0]!.declaration).toBeNull();
  });
});
