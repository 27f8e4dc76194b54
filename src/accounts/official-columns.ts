/** The spreadsheet columns for import and export of officials, in order, with their Vietnamese headers. */
export const OFFICIAL_COLUMNS = [
  ['username', 'Tên tài khoản'],
  ['middleName', 'Họ và tên đệm'],
  ['givenName', 'Tên'],
  ['phone', 'Số điện thoại'],
  ['mobile', 'Số di động'],
  ['emails', 'Email'],
  ['unit', 'Đơn vị/Phòng ban'],
  ['position', 'Chức vụ'],
  ['receptionPlace', 'Nơi tiếp nhận hồ sơ'],
  ['returnAddress', 'Địa chỉ trả hồ sơ'],
  ['beneficiaryAccount', 'Mã tài khoản thụ hưởng'],
  ['bankCode', 'Mã ngân hàng thụ hưởng'],
  ['taxCode', 'Mã số thuế'],
  ['cardName', 'Họ và tên trên thẻ CCCD'],
  ['dateOfBirth', 'Ngày sinh'],
  ['gender', 'Giới tính'],
  ['cccd', 'Số CCCD'],
  ['issueDate', 'Ngày cấp'],
  ['issuePlace', 'Nơi cấp'],
  ['address', 'Địa chỉ'],
  ['receivingUnitPhone', 'Số điện thoại đơn vị tiếp nhận'],
  ['agencyAddress', 'Địa chỉ cơ quan'],
  ['suspended', 'Tạm đình chỉ'],
  ['unitRepresentative', 'Đại diện phòng có số riêng/đơn vị'],
  ['divisionRepresentative', 'Đại diện phòng ban'],
] as const;

export type OfficialColumn = (typeof OFFICIAL_COLUMNS)[number][0];

export function genderFromText(v: string): 'male' | 'female' | '' {
  const t = v.normalize('NFC').trim().toLowerCase();
  if (t === 'nam' || t === 'male' || t === 'm') return 'male';
  if (t === 'nữ' || t === 'nu' || t === 'female' || t === 'f') return 'female';
  return '';
}

export function genderLabel(g: string | null | undefined): string {
  return g === 'male' ? 'Nam' : g === 'female' ? 'Nữ' : '';
}
