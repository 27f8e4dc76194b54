/**
 * For result delivery: a result issued electronically lands in the citizen's files, inside the caller's transaction
 * (the caller's audit row tells the delivery). It is marked as issued by the agency, does not count toward the
 * quota, and may be deleted. Delivering the same result again while the citizen keeps it gives back the same file.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/client.js';
import { personalFiles } from '../db/schema/index.js';
import { safeFileName } from '../shared/file-types.js';
import { Id } from '../shared/validate.js';
import { SHA256_HEX } from '../storage/blob.js';
import { typeOfMime } from './files.js';

const Deposit = z.object({
  citizenId: Id,
  sha256: z.string().regex(SHA256_HEX),
  name: z.string().max(1000),
  mime: z.string(),
  size: z.number().int().positive(),
  unitId: Id,
  dossierId: Id,
});

export type IssuedFile = z.input<typeof Deposit>;

/** Returns the personal file's id. Throws on a malformed argument: the caller's data, never a citizen's input. */
export async function depositIssuedFile(tx: Queryable, input: IssuedFile): Promise<string> {
  const f = Deposit.parse(input);
  const type = typeOfMime(f.mime);
  if (!type) throw new Error(`depositIssuedFile: not a stored file type: ${f.mime}`);
  const name = safeFileName(f.name, type, 'ket-qua');
  const [inserted] = await tx
    .insert(personalFiles)
    .values({
      citizenId: f.citizenId,
      name,
      mime: type.mime,
      size: f.size,
      sha256: f.sha256,
      source: 'issued',
      issuedByUnitId: f.unitId,
      dossierId: f.dossierId,
    })
    .onConflictDoNothing()
    .returning({ id: personalFiles.id });
  if (inserted) return inserted.id;
  const [existing] = await tx
    .select({ id: personalFiles.id })
    .from(personalFiles)
    .where(
      and(
        eq(personalFiles.citizenId, f.citizenId),
        eq(personalFiles.dossierId, f.dossierId),
        eq(personalFiles.sha256, f.sha256),
        eq(personalFiles.source, 'issued'),
        isNull(personalFiles.deletedAt),
      ),
    );
  if (!existing) throw new Error('depositIssuedFile: neither inserted nor found');
  return existing.id;
}
