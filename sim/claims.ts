import type { SimPerson } from './population-types.js';

/** yyyymmdd, as the national portal sends dates of birth. */
const compactDate = (iso: string) => iso.replace(/-/g, '');

/**
 * The claims the national portal's SSO sends (MISSION.md §5), plus the standard OIDC ones so a
 * relying party can map either way. Some names go out decomposed (NFD), as the real one does.
 */
export function claimsFor(p: SimPerson, index: number): Record<string, unknown> {
  const name = index % 3 === 0 ? p.hoVaTen.normalize('NFD') : p.hoVaTen;
  const loa = p.loa === 2 ? 'LoA2' : 'LoA1';
  return {
    sub: p.techId,
    TechID: p.techId,
    LoaiTaiKhoan: p.loaiTaiKhoan,
    SoDinhDanh: p.soDinhDanh,
    SoCMND: '',
    HoVaTen: name,
    NgayThangNamSinh: compactDate(p.ngaySinh),
    GioiTinh: p.gioiTinh === 'male' ? 'Nam' : 'Nữ',
    DiaChi: p.diaChi,
    SoDienThoai: p.soDienThoai,
    ThuDienTu: p.thuDienTu,
    ...(p.loaiTaiKhoan === 2 ? { MaSoThue: p.maSoThue, MaSoDoanhNghiep: p.maSoThue, TenDoanhNghiep: p.tenDoanhNghiep } : {}),
    loginIdp: 'BCA',
    loAs: [loa],
    // Standard claims.
    name,
    birthdate: p.ngaySinh,
    gender: p.gioiTinh,
    phone_number: p.soDienThoai,
    email: p.thuDienTu || undefined,
    cccd: p.soDinhDanh,
  };
}

export const CLAIM_NAMES = [
  'sub',
  'TechID',
  'LoaiTaiKhoan',
  'SoDinhDanh',
  'SoCMND',
  'HoVaTen',
  'NgayThangNamSinh',
  'GioiTinh',
  'DiaChi',
  'SoDienThoai',
  'ThuDienTu',
  'MaSoThue',
  'MaSoDoanhNghiep',
  'TenDoanhNghiep',
  'loginIdp',
  'loAs',
  'name',
  'birthdate',
  'gender',
  'phone_number',
  'email',
  'cccd',
];
