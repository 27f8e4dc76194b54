import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { AppError } from '../shared/errors.js';

/** The most dossiers one agency numbers in one day: the code's four-digit sequence. */
const MAX_PER_DAY = 9999;

/**
 * The next dossier code of an agency and day: `<agency code>-<YYMMDD>-<XXXX>`. The counter row is
 * incremented inside the reception's transaction, so concurrent receptions wait for each other and a
 * rolled-back reception gives its number back: codes are unique and without gaps.
 */
export async function nextDossierCode(db: Queryable, agencyCode: string, localDay: string): Promise<string> {
  const rows = await queryRows<{ last: number }>(
    db,
    sql`insert into dossier_code_counters (agency_code, day, last) values (${agencyCode}, ${localDay}, 1)
        on conflict (agency_code, day) do update set last = dossier_code_counters.last + 1
        returning last`,
  );
  const seq = rows[0]!.last;
  // Thông tư 01/2018/TT-VPCP gives the day's sequence four digits: the 10,000th is refused, in words (the transaction
  // rolls back, so the counter keeps 9999), never numbered past the format every national system parses.
  if (seq > MAX_PER_DAY) {
    throw new AppError(
      'dossier_codes_exhausted',
      `Cơ quan (mã ${agencyCode}) đã cấp đủ ${MAX_PER_DAY.toLocaleString('vi-VN')} mã hồ sơ trong ngày — mã hồ sơ theo Thông tư 01/2018/TT-VPCP chỉ có 4 chữ số thứ tự. Vui lòng tiếp nhận hồ sơ này vào ngày làm việc tiếp theo và báo quản trị hệ thống.`,
      409,
    );
  }
  const yymmdd = localDay.slice(2, 4) + localDay.slice(5, 7) + localDay.slice(8, 10);
  return `${agencyCode}-${yymmdd}-${String(seq).padStart(4, '0')}`;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** The short code printed on the receipt for the public lookup (10 characters, no look-alikes). */
export function newLookupCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return s;
}
