/**
 * How many uploads one person may have in flight at once, in this instance. Each upload is spooled to this
 * instance's disk as it streams (multipart.ts) — up to 60 MB for a Nộp hồ sơ — and a slow sender holds its files
 * open until it ends or Node's request time-out (5 minutes): without a bound, one logged-in person opening many
 * uploads at once could fill the disk. Four covers two browser tabs and an integration's few parallel calls; an
 * account's API keys share its four with the official's own browser (an integration that needs more parallel
 * uploads runs under an account of its own).
 *
 * Counted per instance on purpose: the resource is this instance's disk, so the count lives with it (several
 * instances each allow four; nothing is shared to keep in step, and a restart frees everything with the process).
 * The uploader is who the route's gate says is sending (web/body.ts UploadGate): `account:<id>` for officials and
 * API keys (an account's keys share its bound), `citizen:<id>` for the portal.
 */
import { AppError } from '../shared/errors.js';

export const UPLOADS_IN_FLIGHT_PER_UPLOADER = 4;

const inFlight = new Map<string, number>();

const tooMany = () =>
  new AppError(
    'uploads_in_flight',
    `Bạn đang tải lên ${UPLOADS_IN_FLIGHT_PER_UPLOADER} tệp cùng lúc. Vui lòng đợi các lần tải lên đang chạy hoàn tất rồi thử lại.`,
    429,
    undefined,
    { retryAfterSeconds: 30 },
  );

/** Takes one of the uploader's slots, or refuses at once (429); the returned function gives it back (once). */
export function takeUploadSlot(uploader: string): () => void {
  const taken = inFlight.get(uploader) ?? 0;
  if (taken >= UPLOADS_IN_FLIGHT_PER_UPLOADER) throw tooMany();
  inFlight.set(uploader, taken + 1);
  let given = false;
  return () => {
    if (given) return;
    given = true;
    const left = (inFlight.get(uploader) ?? 1) - 1;
    if (left > 0) inFlight.set(uploader, left);
    else inFlight.delete(uploader);
  };
}

/** The uploads in flight of one uploader in this instance (tests, metrics). */
export const uploadsInFlight = (uploader: string): number => inFlight.get(uploader) ?? 0;
