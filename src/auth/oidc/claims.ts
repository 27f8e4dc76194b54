/**
 * Map a provider's claims to what we use, for the national portal's names (`dvcqg`) or standard
 * OIDC claims (`oidc`). Names are composed to NFC: the national SSO is known to send NFD.
 */
import { cleanText, hasControlChars, hasLoneSurrogate } from '../../shared/text.js';

export type ExternalIdentity = {
  subject: string;
  techId: string | null;
  cccd: string | null;
  fullName: string;
  dateOfBirth: string | null;
  gender: 'male' | 'female' | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  accountType: 1 | 2;
  taxCode: string | null;
  businessName: string | null;
  /** Identification level read from acr / loAs; 0 when the provider says nothing. */
  loa: 0 | 1 | 2;
};

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? cleanText(v) : null);

function isoFromCompact(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  const dmy = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  return dmy ? `${dmy[3]}-${dmy[2]}-${dmy[1]}` : null;
}

function genderOf(v: unknown): 'male' | 'female' | null {
  const s = str(v)?.toLowerCase();
  if (!s) return null;
  if (['nam', 'male', 'm', '1'].includes(s)) return 'male';
  if (['nữ', 'nu', 'female', 'f', '0', '2'].includes(s)) return 'female';
  return null;
}

/** The level from the ID token's acr and the claims' loAs, given the provider's acr names for LoA1 and LoA2. */
function levelOf(acr: unknown, loAs: unknown, acrValues: [string, string]): 0 | 1 | 2 {
  const values = [acr, ...(Array.isArray(loAs) ? loAs : [loAs])].filter((v): v is string => typeof v === 'string');
  if (values.includes(acrValues[1])) return 2;
  if (values.includes(acrValues[0])) return 1;
  return 0;
}

/**
 * A subject this system can keep as the key of a person's link: a text of 1–255 characters, no control character, no
 * lone surrogate. A NUL cannot be stored in PostgreSQL text (the login would end in a 500); the claims are signed by the
 * provider, so anything else is a broken or hostile provider, refused as an invalid response (flow.ts).
 */
export function isReadableSubject(sub: unknown): sub is string {
  return typeof sub === 'string' && sub.length >= 1 && sub.length <= 255 && !hasControlChars(sub) && !hasLoneSurrogate(sub);
}

export function mapClaims(mode: 'dvcqg' | 'oidc', c: Record<string, unknown>, acrValues: [string, string]): ExternalIdentity {
  const subject = String(c.sub);
  if (mode === 'dvcqg') {
    const cccd = str(c.SoDinhDanh);
    return {
      subject,
      techId: str(c.TechID),
      cccd: cccd && /^\d{12}$/.test(cccd) ? cccd : null,
      fullName: str(c.HoVaTen) ?? '',
      dateOfBirth: isoFromCompact(c.NgayThangNamSinh),
      gender: genderOf(c.GioiTinh),
      address: str(c.DiaChi),
      phone: str(c.SoDienThoai),
      email: str(c.ThuDienTu),
      accountType: Number(c.LoaiTaiKhoan) === 2 ? 2 : 1,
      taxCode: str(c.MaSoThue) ?? str(c.MaSoDoanhNghiep),
      businessName: str(c.TenDoanhNghiep),
      loa: levelOf(c.acr, c.loAs, acrValues),
    };
  }
  const cccd = str(c.cccd) ?? str(c.national_id);
  return {
    subject,
    techId: null,
    cccd: cccd && /^\d{12}$/.test(cccd) ? cccd : null,
    fullName: str(c.name) ?? [str(c.family_name), str(c.given_name)].filter(Boolean).join(' '),
    dateOfBirth: isoFromCompact(c.birthdate),
    gender: genderOf(c.gender),
    address: typeof c.address === 'object' && c.address ? str((c.address as Record<string, unknown>).formatted) : str(c.address),
    phone: str(c.phone_number),
    email: str(c.email),
    accountType: 1,
    taxCode: null,
    businessName: null,
    loa: levelOf(c.acr, c.loAs, acrValues),
  };
}
