/**
 * The command line of the catalog imports (`npm run import:units`, `npm run import:procedures`):
 * `<file> [--apply] [--as <username>]`. A dry run unless --apply; the audit names the province administrator
 * given with --as, or the system actor of the command (the system administers the whole tree: accounts/policies.ts).
 * Exit 0 when every row passed (and was written with --apply), 1 when a row or the file was refused, 2 on usage.
 */
import crypto from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { MAX_IMPORT_BYTES } from '../accounts/read-sheet.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { Db } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { type StaffActor, type SystemActor, systemActor } from './context.js';
import { AppError } from './errors.js';
import { formatReport, type ImportReport } from './import-report.js';

export type ImportRun = (
  db: Db,
  actor: StaffActor | SystemActor,
  bytes: Uint8Array,
  opts: { apply: boolean; now: Date; source: { name: string; sha256: string }; logger: Logger },
) => Promise<ImportReport>;

type Parsed = { file: string; apply: boolean; as: string | null };

function parseArgs(argv: string[]): Parsed | string {
  let file: string | null = null;
  let apply = false;
  let as: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--apply') apply = true;
    else if (a === '--as') {
      as = argv[++i] ?? null;
      if (!as) return '--as needs the username of a province administrator';
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else if (file) return `one file only (got ${file} and ${a})`;
    else file = a;
  }
  return file ? { file, apply, as } : 'no file given';
}

/** The official named by --as, who must administer the province (the root of the tree). */
async function officialActor(db: Db, username: string): Promise<StaffActor> {
  const [acc] = await db
    .select({ id: accounts.id, username: accounts.username, suspended: accounts.suspended })
    .from(accounts)
    .where(and(eq(accounts.usernameLower, username.toLowerCase()), isNull(accounts.deletedAt)));
  if (!acc || acc.suspended) throw new AppError('import_actor', `Không có tài khoản đang hoạt động "${username}".`, 400);
  const actor: StaffActor = { kind: 'official', accountId: acc.id, label: acc.username, meta: { ip: null, requestId: null } };
  if (!(await isProvinceAdministrator(db, actor))) {
    throw new AppError('import_actor', `Tài khoản "${acc.username}" không phải quản trị viên cấp tỉnh.`, 403);
  }
  return actor;
}

/** Runs one import command on `db`; returns the exit code and the lines to print (the report or the error). */
export async function runImportCommand(
  db: Db,
  argv: string[],
  /** `logger`: where a failed apply's error is logged (stderr for the commands); the report says what the operator reads. */
  command: { name: string; systemLabel: string; run: ImportRun; logger: Logger },
): Promise<{ exitCode: number; lines: string[] }> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    return { exitCode: 2, lines: [`${args}`, `Usage: npm run ${command.name} -- <file.csv|file.xlsx> [--apply] [--as <username>]`] };
  }
  try {
    const size = await stat(args.file).then(
      (s) => (s.isFile() ? s.size : -1),
      () => -1,
    );
    if (size < 0) throw new AppError('import_no_file', `Không đọc được tệp ${args.file}.`, 400);
    if (size > MAX_IMPORT_BYTES) throw new AppError('import_too_large', 'Tệp quá lớn (tối đa 5 MB).', 400);
    const bytes = new Uint8Array(await readFile(args.file));
    const actor = args.as ? await officialActor(db, args.as) : systemActor(command.systemLabel);
    const source = { name: path.basename(args.file), sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
    const report = await command.run(db, actor, bytes, {
      apply: args.apply,
      now: new Date() /* a command's clock is the wall clock */,
      source,
      logger: command.logger,
    });
    const lines = [`${args.apply ? 'Nhập' : 'Chạy thử'} ${source.name} (người thực hiện: ${actor.label})`, ...formatReport(report)];
    return { exitCode: report.counts.refused > 0 ? 1 : 0, lines };
  } catch (err) {
    if (err instanceof AppError) return { exitCode: 1, lines: [`Lỗi: ${err.message}`] };
    throw err;
  }
}
