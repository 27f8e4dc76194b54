/**
 * Adapter to the national population database (CSDL quốc gia về dân cư) through the provincial
 * data-sharing platform: HTTP JSON, URL and token from configuration, so a real connector can
 * replace the simulator. Answers match or mismatch per field.
 */
import { AppError } from '../shared/errors.js';

type RegistryQuery = { soDinhDanh: string; hoVaTen: string; ngaySinh: string; gioiTinh: 'male' | 'female'; ngayCap?: string | null };
type FieldResult = 'match' | 'mismatch';
export type RegistryAnswer = {
  found: boolean;
  fields: Partial<Record<'soDinhDanh' | 'hoVaTen' | 'ngaySinh' | 'gioiTinh' | 'ngayCap', FieldResult>>;
};

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
      if (!res.ok) throw registryUnavailable();
      const body = (await res.json().catch(() => null)) as RegistryAnswer | null;
      if (!body || typeof body.found !== 'boolean' || typeof body.fields !== 'object') throw registryUnavailable();
      return body;
    },
  };
}
