/**
 * `npm run setup`: a province's first day in production (src/setup/setup-province.ts does the work). Asks in
 * Vietnamese on a terminal for whatever the flags did not give, or runs from flags alone (automation: every required
 * flag and --yes). Applies the migrations first, as `npm run db:migrate` does, then creates the province, its root
 * unit and the first province administrator in one transaction and shows the administrator's TOTP secret once, as a
 * QR code and as text. Exit codes: 0 done, 1 refused (invalid input, already set up, database error), 2 usage.
 */
import fs from 'node:fs';
import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import QRCode from 'qrcode';
import { loadConfigOrExit } from '../config.js';
import { openCommandDatabase } from '../db/command-database.js';
import { migrateCommand } from '../db/migrate-command.js';
import { AppError } from '../shared/errors.js';
import { parseSetupInput, setupProvince, type SetupFields } from './setup-province.js';

type Field = { key: keyof SetupFields; flag: string; prompt: string; required: boolean };

/** Flags in the order they are asked; the flag is the key in kebab case. */
const FIELDS: Field[] = [
  {
    key: 'provinceName',
    flag: 'province-name',
    prompt: 'Tên tỉnh (tên đơn vị gốc, hiện ở đầu mọi trang; ví dụ: Tỉnh Bình Phước)',
    required: true,
  },
  { key: 'provinceShortName', flag: 'province-short-name', prompt: 'Tên viết tắt (bỏ trống nếu không có)', required: false },
  { key: 'provinceCode', flag: 'province-code', prompt: 'Mã tỉnh trong mã định danh điện tử (ví dụ: H10)', required: true },
  { key: 'agencyCode', flag: 'agency-code', prompt: 'Mã định danh điện tử của đơn vị gốc (ví dụ: 000.00.00.H10)', required: true },
  { key: 'adminUsername', flag: 'admin-username', prompt: 'Tên tài khoản quản trị tỉnh (ví dụ: quantri.tinh)', required: true },
  { key: 'adminMiddleName', flag: 'admin-middle-name', prompt: 'Họ và tên đệm của quản trị tỉnh', required: true },
  { key: 'adminGivenName', flag: 'admin-given-name', prompt: 'Tên của quản trị tỉnh', required: true },
  { key: 'adminGender', flag: 'admin-gender', prompt: 'Giới tính (nam/nữ)', required: true },
  { key: 'adminPosition', flag: 'admin-position', prompt: 'Chức vụ (bỏ trống: Quản trị hệ thống)', required: false },
  { key: 'adminMobile', flag: 'admin-mobile', prompt: 'Số di động (bỏ trống nếu không có)', required: false },
  { key: 'adminEmail', flag: 'admin-email', prompt: 'Email (bỏ trống nếu không có)', required: false },
];
const FLAG_OF: Record<string, string> = { ...Object.fromEntries(FIELDS.map((f) => [f.key, f.flag])), adminPassword: 'admin-password' };

const USAGE = `Cách dùng: npm run setup -- [tùy chọn]

Khởi tạo hệ thống cho một tỉnh (chỉ chạy một lần, trên cơ sở dữ liệu chưa có đơn vị nào): tỉnh và đơn vị gốc,
tài khoản quản trị tỉnh đầu tiên (tài khoản khẩn cấp: mật khẩu + mã TOTP). Trên terminal, lệnh hỏi những gì
chưa có trong tùy chọn; khi chạy tự động, cần đủ các tùy chọn bắt buộc (*) và --yes.

${[
  ...FIELDS,
  { flag: 'admin-password', required: true, prompt: 'Mật khẩu quản trị tỉnh (12–128 ký tự, không chứa tên tài khoản)' },
  { flag: 'admin-password-file', required: false, prompt: 'Đọc mật khẩu từ tệp (dòng đầu), thay cho --admin-password' },
  { flag: 'yes', required: false, prompt: 'Không hỏi xác nhận' },
  { flag: 'help', required: false, prompt: 'Hiện hướng dẫn này' },
]
  .map((f) => `  --${f.flag.padEnd(22)}${f.required ? '*' : ' '} ${f.prompt}`)
  .join('\n')}

Cơ sở dữ liệu: DATABASE_URL (PostgreSQL) hoặc DATA_DIR (cơ sở dữ liệu nhúng; dừng ứng dụng trước khi chạy).`;

function usageError(message: string): never {
  console.error(`npm run setup: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function readArgs() {
  const options = {
    ...Object.fromEntries(FIELDS.map((f) => [f.flag, { type: 'string' as const }])),
    'admin-password': { type: 'string' as const },
    'admin-password-file': { type: 'string' as const },
    yes: { type: 'boolean' as const },
    help: { type: 'boolean' as const },
  };
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err));
  }
}

/** A line typed without echo (the password): raw mode, Enter ends, Backspace erases, Ctrl-C aborts. */
function readSecret(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const input = process.stdin;
    process.stdout.write(`${prompt}: `);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stdout.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          process.stdout.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}

async function ask(fields: SetupFields, missing: Field[], needPassword: boolean) {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (const f of missing) {
      const answer = (await rl.question(`${f.prompt}: `)).trim();
      if (answer) fields[f.key] = answer;
    }
  } finally {
    rl.close();
  }
  if (needPassword) {
    for (;;) {
      const first = await readSecret('Mật khẩu quản trị tỉnh (12–128 ký tự)');
      const again = await readSecret('Nhập lại mật khẩu');
      if (first === again) {
        fields.adminPassword = first;
        break;
      }
      console.error('Hai lần nhập mật khẩu không khớp, vui lòng nhập lại.');
    }
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(c|có|co|y|yes)$/i.test((await rl.question(`${question} (c/k): `)).trim());
  } finally {
    rl.close();
  }
}

function printRefusal(err: unknown): never {
  if (err instanceof AppError && err.fields && Object.keys(err.fields).length > 0) {
    console.error('Thông tin chưa hợp lệ, chưa tạo gì:');
    for (const [key, message] of Object.entries(err.fields)) console.error(`  --${FLAG_OF[key] ?? key}: ${message}`);
  } else if (err instanceof AppError) {
    console.error(`Không khởi tạo: ${err.message}`);
  } else {
    console.error(`Khởi tạo thất bại, chưa tạo gì: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
}

async function main() {
  const args = readArgs();
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const fields: SetupFields = {};
  for (const f of FIELDS) if (typeof args[f.flag] === 'string') fields[f.key] = args[f.flag] as string;
  const passwordFile = args['admin-password-file'];
  if (typeof passwordFile === 'string') {
    if (typeof args['admin-password'] === 'string') usageError('dùng --admin-password hoặc --admin-password-file, không dùng cả hai.');
    try {
      fields.adminPassword = fs.readFileSync(passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      usageError(`không đọc được tệp mật khẩu ${passwordFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
    }
  } else if (typeof args['admin-password'] === 'string') fields.adminPassword = args['admin-password'];

  const interactive = !!process.stdin.isTTY && !!process.stdout.isTTY;
  const missing = FIELDS.filter((f) => fields[f.key] === undefined);
  if (interactive) {
    await ask(fields, missing, fields.adminPassword === undefined);
  } else {
    const required = missing.filter((f) => f.required).map((f) => `--${f.flag}`);
    if (fields.adminPassword === undefined) required.push('--admin-password hoặc --admin-password-file');
    if (required.length) usageError(`không chạy trên terminal: thiếu ${required.join(', ')}.`);
    if (!args.yes) usageError('không chạy trên terminal: cần --yes để khởi tạo mà không hỏi xác nhận.');
  }

  // Every mistake is reported before the database is opened; on a terminal, only the fields at fault are asked again.
  let input: ReturnType<typeof parseSetupInput>;
  for (;;) {
    try {
      input = parseSetupInput(fields, new Date() /* a command's clock is the wall clock */);
      break;
    } catch (err) {
      const bad = err instanceof AppError ? (err.fields ?? {}) : {};
      if (!interactive || Object.keys(bad).length === 0) printRefusal(err);
      console.error('Thông tin chưa hợp lệ:');
      for (const message of Object.values(bad)) console.error(`  ${message}`);
      const again = FIELDS.filter((f) => f.key in bad);
      for (const f of again) delete fields[f.key];
      await ask(fields, again, 'adminPassword' in bad);
    }
  }
  console.log(
    [
      '',
      'Sẽ khởi tạo:',
      `  Tỉnh:              ${input.province.name} (mã ${input.province.code})`,
      `  Đơn vị gốc:        ${input.unit.name}, mã định danh điện tử ${input.unit.agencyCode}`,
      `  Quản trị tỉnh:     ${input.admin.username} — ${input.admin.middleName} ${input.admin.givenName}, tài khoản khẩn cấp (mật khẩu + mã TOTP)`,
      '',
    ].join('\n'),
  );
  if (!args.yes && !(await confirm('Tiếp tục?'))) {
    console.log('Đã hủy, chưa tạo gì.');
    process.exitCode = 1;
    return;
  }

  // Accepted (tests, throwaway machines), but the administrator's password was readable by every user of the machine.
  if (typeof args['admin-password'] === 'string')
    console.error(
      'Lưu ý: mật khẩu trong --admin-password hiện trong danh sách tiến trình (ps) với mọi người dùng của máy; hãy dùng --admin-password-file, hoặc nhập trên terminal, và đổi mật khẩu này nếu máy có người khác dùng.',
    );
  const config = loadConfigOrExit();
  try {
    await migrateCommand(config);
  } catch (err) {
    printRefusal(err);
  }
  const database = await openCommandDatabase('setup', config, { poolSize: 2 });
  let result: Awaited<ReturnType<typeof setupProvince>>;
  try {
    result = await setupProvince(database.db, fields, new Date());
  } catch (err) {
    await database.close().catch(() => undefined);
    printRefusal(err);
  }
  await database.close();
  // The national portal knows the province by the same code (H10 in the demo): a different one is most likely a typo.
  const national = config.nationalPortal;
  if (national && !national.simulated && national.province.toUpperCase() !== result.province.code)
    console.warn(
      `Lưu ý: NATIONAL_PORTAL_PROVINCE=${national.province} khác mã tỉnh ${result.province.code} vừa khởi tạo; kiểm tra lại cấu hình đồng bộ Cổng Dịch vụ công quốc gia.`,
    );
  const qr = await QRCode.toString(result.uri, { type: 'terminal', small: true });
  console.log(
    [
      '',
      `Đã khởi tạo ${result.province.name}: đơn vị gốc ${result.root.name} (${result.root.agencyCode}), quản trị tỉnh ${result.account.username}.`,
      '',
      'Mã TOTP của tài khoản khẩn cấp — CHỈ HIỆN MỘT LẦN. Quét mã QR bằng ứng dụng xác thực (Google Authenticator,',
      'Microsoft Authenticator, FreeOTP…) hoặc nhập khóa bên dưới, rồi cất bản sao ở nơi an toàn:',
      '',
      qr,
      `  Khóa bí mật: ${result.secret}`,
      `  URI:         ${result.uri}`,
      '',
      `Đăng nhập tại ${config.publicUrl}/tiepnhan bằng ${result.account.username} và mật khẩu vừa đặt; sau ngày chỉ đăng nhập`,
      'bằng VNeID, trang đăng nhập hỏi thêm mã 6 chữ số của ứng dụng xác thực.',
    ].join('\n'),
  );
}

await main();
