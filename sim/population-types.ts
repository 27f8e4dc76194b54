/** A synthetic person known to the VNeID and population-registry simulators. */
export type SimPerson = {
  /** Stable account id at the identity provider (the national portal's TechID). */
  techId: string;
  /** Số định danh cá nhân (12 digits), consistent with birth date and gender. */
  soDinhDanh: string;
  hoVaTen: string;
  /** ISO date of birth. */
  ngaySinh: string;
  gioiTinh: 'male' | 'female';
  ngayCap: string;
  noiCap: string;
  diaChi: string;
  soDienThoai: string;
  thuDienTu: string;
  /** VNeID password (shown to testers at /dev/people). */
  password: string;
  /** Identification level: 1 (basic) or 2 (with fingerprints). */
  loa: 1 | 2;
  /** 1 cá nhân, 2 tổ chức/doanh nghiệp. */
  loaiTaiKhoan: 1 | 2;
  maSoThue?: string;
  tenDoanhNghiep?: string;
  /** Who they are in the demo: an official of the app's demo data, or a citizen. */
  role: 'official' | 'citizen';
  /** For officials: their username in the app's demo data. */
  demoUsername?: string;
};
