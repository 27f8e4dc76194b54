/**
 * Tiếp nhận through the API (POST /api/v1/dossiers) with an optional `Idempotency-Key`
 * (draft-ietf-httpapi-idempotency-key-header): a retry of the same request is the dossier the first one received; the
 * same key with another request is refused (422 idempotency_key_reused), never answered with the first dossier. The
 * key passes to receiveDossier as the counter form's one-time submissionKey, scoped to the caller.
 */
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { dossierComponents, dossierEvents, dossierFiles, type dossiers } from '../db/schema/index.js';
import { ReceiveInput, receiveDossier } from '../dossiers/receive-dossier.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, type FieldErrors } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';
import type { IncomingFile } from '../storage/index.js';

/**
 * The key receiveDossier keeps (its `submissionKey`, unique across every dossier) for a client's Idempotency-Key:
 * a UUID (version 8, RFC 9562) derived from the key and who sent it — the API client (key) and its account, or the
 * account of a session. Another account's or another API key's request with the same Idempotency-Key is then another
 * key: it receives its own dossier, never learns that the value was used, and cannot take it first to block the
 * owner's retry. (receiveDossier also refuses a key whose dossier another account received: the counter form's rule.)
 */
export function scopedSubmissionKey(actor: StaffActor, key: string): string {
  const scope = actor.kind === 'api' ? `api-client:${actor.clientId}:${actor.accountId}` : `session:${actor.accountId}`;
  const h = crypto.createHash('sha256').update(`motcua/api/v1/dossiers/idempotency-key\0${scope}\0${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const idempotencyKeyReused = () =>
  new AppError(
    'idempotency_key_reused',
    'Idempotency-Key này đã được dùng cho một yêu cầu tiếp nhận có nội dung khác. Khi thử lại, gửi đúng nội dung cũ; hồ sơ mới cần một khóa mới.',
    422,
  );

/**
 * The scans with a hash taken as they are read: receiveDossier reads a stream once (to store it), and a retry that
 * raced the first request and lost on its key has read its scans already by the time it is compared (an attacker
 * review: those retries answered 500, the stream locked). `digest` reads what nobody read (a retry answered before its
 * scans were stored), then gives the SHA-256; a scan that cannot be read fails the request (never a false 422).
 */
function hashedScans(scans: Map<number, IncomingFile>) {
  const files = new Map<number, IncomingFile>();
  const digests = new Map<number, () => Promise<string>>();
  for (const [i, file] of scans) {
    if ('bytes' in file) {
      files.set(i, file);
      digests.set(i, async () => crypto.createHash('sha256').update(file.bytes).digest('hex'));
      continue;
    }
    const hash = crypto.createHash('sha256');
    const source = file.stream as Readable | AsyncIterable<Uint8Array>;
    const stream = Readable.from(
      (async function* () {
        for await (const chunk of source) {
          hash.update(chunk as Uint8Array);
          yield chunk as Uint8Array;
        }
      })(),
      { objectMode: false },
    );
    files.set(i, { name: file.name, stream });
    digests.set(i, async () => {
      for await (const _unread of stream); // into the hash, through the generator above
      return hash.digest('hex');
    });
  }
  return { files, digests };
}

/**
 * Whether a retry is the request that received `d`: the same procedure, channel, applicant, note, documents (with
 * their counts) and scans (by content). What receiveDossier stored is compared with this request as it parses it, so
 * a retry spelled differently (a number as text, spaces) is still the same request.
 */
async function sameReception(db: Db, d: typeof dossiers.$inferSelect, raw: unknown, digests: Map<number, () => Promise<string | null>>) {
  const input = parseInput(ReceiveInput, raw);
  if (input.procedureId !== d.procedureId || input.channel !== d.channel) return false;
  const applicant: Record<string, unknown> = d.applicant;
  for (const field of ['fullName', 'cccd', 'phone', 'email', 'address'] as const) {
    if ((input[field] ?? null) !== (applicant[field] ?? null)) return false;
  }
  const [event] = await db
    .select({ note: dossierEvents.note })
    .from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.step, 0), eq(dossierEvents.action, 'receive')));
  if ((event?.note ?? null) !== input.note) return false;
  const components = await db
    .select({
      index: dossierComponents.documentIndex,
      originals: dossierComponents.originals,
      copies: dossierComponents.copies,
      sha256: dossierFiles.sha256,
    })
    .from(dossierComponents)
    .leftJoin(dossierFiles, eq(dossierFiles.id, dossierComponents.fileId))
    .where(eq(dossierComponents.dossierId, d.id));
  const byIndex = <T extends { index: number }>(items: T[]) => [...items].sort((a, b) => a.index - b.index);
  const kept = byIndex(components).map(({ index, originals, copies }) => ({ index, originals, copies }));
  const sent = byIndex(input.documents ?? []).map(({ index, originals, copies }) => ({ index, originals, copies }));
  if (JSON.stringify(kept) !== JSON.stringify(sent)) return false;
  const keptScans = components.filter((k) => k.sha256 !== null).map((k) => `${k.index}:${k.sha256}`);
  const sentScans = await Promise.all([...digests].map(async ([i, digest]) => `${i}:${await digest()}`));
  return JSON.stringify(keptScans.sort()) === JSON.stringify(sentScans.sort());
}

/** receiveDossier, made idempotent by the caller's `key` (a UUID, already parsed) when there is one. */
export async function receiveThroughApi(
  db: Db,
  actor: StaffActor,
  input: unknown,
  now: Date,
  scans: Map<number, IncomingFile>,
  opts: { maxScanBytes: number; scanProblems: FieldErrors },
  key: string | undefined,
) {
  const { files, digests } = hashedScans(scans);
  const d = await receiveDossier(db, actor, input, now, files, {
    ...opts,
    ...(key === undefined ? {} : { idempotencyKey: scopedSubmissionKey(actor, key) }),
  }).catch((err: unknown) => {
    // The caller's own key, whose dossier they may no longer see (moved to another unit): the key is spent.
    if (key !== undefined && err instanceof AppError && err.code === 'stale_form') throw idempotencyKeyReused();
    throw err;
  });
  if (d.repeated && !(await sameReception(db, d, input, digests))) throw idempotencyKeyReused();
  return d;
}
