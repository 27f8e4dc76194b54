/**
 * The applicant of a dossier pulled from the national portal (ChuHoSo), as our reception takes it. What the national
 * portal sends is the applicant's declaration, checked by its rules, not ours: an organisation's tax code as its
 * SoDinhDanh, a phone written 84…, a name or an address longer than our counter's fields. The dossier itself is valid
 * and must reach the reception desk, so each field is checked on its own against the counter's very rules (ReceiveInput,
 * applicant-fields.ts): a value that passes is the structured field; one that does not is left out of it (a name or an
 * address too long is kept cut, ending in "…") and is written whole (within a bound) into the dossier's note, where the
 * reception official reads it before accepting. Nothing declared here proves who the applicant is: the number never
 * binds the dossier to a citizen of our portal (pull.ts clears applicant_id_number).
 */
import { ReceiveInput } from '../dossiers/receive-dossier.js';
import { optionalCccd, optionalEmail, optionalPhone } from '../dossiers/applicant-fields.js';
import { internationalPhone } from '../notify/adapters/phone.js';
import { cleanText, cutText } from '../shared/text.js';
import type { SubmittedDossier } from './client.js';

/** The counter's bounds (ReceiveInput): a longer value is kept cut in the structured field and whole in the note. */
const NAME_MAX = 150;
const ADDRESS_MAX = 300;
/** The most of one declared value copied into the note (the pull's own schema bounds each below 500 already). */
const DECLARED_MAX = 500;
/** The structured name when the declared one is not a name at all (blank, one character). */
const UNKNOWN_NAME = 'Chưa rõ họ tên';

export type DeclaredApplicant = {
  /** What receiveDossier takes: only values that pass the counter's rules. */
  fields: { fullName: string; cccd?: string; phone?: string; email?: string; address?: string };
  /** The declared values left out of (or cut in) the structured fields, as "label: “value”", for the note. */
  declared: string[];
};

const passes = (schema: { safeParse(v: unknown): { success: boolean } }, value: string) => schema.safeParse(value).success;
const quoted = (label: string, value: string) => `${label}: “${cutText(value, DECLARED_MAX)}”`;
/** Cut to `max` characters with "…" as the last, so the field itself says there is more (in the note). */
const shortened = (value: string, max: number) => `${cutText(value, max - 1).trimEnd()}…`;

export function declaredApplicant(chu: SubmittedDossier['ChuHoSo']): DeclaredApplicant {
  const fields: DeclaredApplicant['fields'] = { fullName: UNKNOWN_NAME };
  const declared: string[] = [];

  const name = cleanText(chu.HoVaTen);
  if (passes(ReceiveInput.shape.fullName, chu.HoVaTen)) fields.fullName = chu.HoVaTen;
  else if (name.length > NAME_MAX) {
    fields.fullName = shortened(name, NAME_MAX);
    declared.push(quoted('Họ tên đầy đủ', name));
  } else if (name) declared.push(quoted('Họ tên', name));

  const number = chu.SoDinhDanh ? cleanText(chu.SoDinhDanh) : '';
  if (number) {
    if (passes(optionalCccd(), number)) fields.cccd = number;
    else declared.push(quoted('Số định danh (không phải số CCCD 12 chữ số)', number));
  }

  const phone = chu.SoDienThoai ? cleanText(chu.SoDienThoai) : '';
  if (phone) {
    // 84xxxxxxxxx is the same mobile number in its international form: kept, in ours (0xxxxxxxxx).
    const international = internationalPhone(phone);
    const national = international ? `0${international.slice(2)}` : null;
    if (passes(optionalPhone(), phone)) fields.phone = phone;
    else if (national && passes(optionalPhone(), national)) fields.phone = national;
    else declared.push(quoted('Số điện thoại', phone));
  }

  const email = chu.Email ? cleanText(chu.Email) : '';
  if (email) {
    if (passes(optionalEmail(), email)) fields.email = email;
    else declared.push(quoted('Email', email));
  }

  const address = chu.DiaChi ? cleanText(chu.DiaChi) : '';
  if (address) {
    if (passes(ReceiveInput.shape.address, address)) fields.address = address;
    else {
      fields.address = shortened(address, ADDRESS_MAX);
      declared.push(quoted('Địa chỉ đầy đủ', address));
    }
  }
  return { fields, declared };
}

/** The note's sentence for the declared values left out, or '' when every field passed as it is. */
export function declaredNote(declared: string[]): string {
  return declared.length
    ? ` Thông tin người nộp khai báo trên Cổng DVC quốc gia không theo quy cách tiếp nhận của tỉnh, cần kiểm tra khi tiếp nhận — ${declared.join('; ')}.`
    : '';
}
