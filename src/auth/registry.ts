/**
 * Adapter to the national population database (CSDL quốc gia về dân cư) through the provincial
 * data-sharing platform: HTTP JSON, URL and token from configuration, so a real connector can
 * replace the simulator. Answers match or mismatch per field.
 */
import { readBoundedText } from '../shared/bounded-read.js';
import { AppError } from '../shared/errors.js';

type RegistryQuery = { soDinhDanh: string; hoVaTen: string; ngaySinh: string; gioiTinh: 'male' | 'female'; ngayCap?: string | null };
type FieldResult = 'match' | 'mismatch';
export type RegistryAnswer = {
  found: boolean;
  fields: Partial<Record<'soDinhDanh' | 'hoVaTen' | 'ngaySinh' | 'gioiTinh' | 'ngayCap', FieldResult>>;
};

/** {found, fields: five match/mismatch}: a few hundred bytes. Read up to 64 KB, no more (shared/bounded-read.ts). */
export const REGISTRY_ANSWER_MAX_BYTES = 64 * 1024;

/** The answer's JSON, or null: over the limit (AnswerTooLarge), not JSON, or the connection lost while reading. */
async function answerOf(res: Response): Promise<unknown> {
  try {
    return JSON.parse(await readBoundedText(res, REGISTRY_ANSWER_MAX_BYTES)) as unknown;
  } catch {
    return null;
  }
}

export type Registry = { verify(q: RegistryQuery): Promise<RegistryAnswer> };

const registryUnavailable = () =>
  new AppError(
    'registry_unavailable',
    'Không kết nối được Cơ sở dữ liệu quốc gia về dân cư (hệ thống đang bảo trì hoặc quá tải). Thông tin chưa được xác thực; vui lòng thử lại sau.',
    503,
  );

export function httpRegistry(url: string, token: string, timeoutMs = 10_000): Registry {
  return {
    async verify(q) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(q),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        throw registryUnavailable();
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw registryUnavailable();
      }
      const body = (await answerOf(res)) as RegistryAnswer | null;
      if (!body || typeof body.found !== 'boolean' || typeof body.fields !== 'object' || body.fields === null) throw registryUnavailable();
      return body;
    },
  };
}
