/**
 * Writes sim/data/population.json: every demo official (with the CCCD and phone of the app's demo
 * data) and enough synthetic citizens and organisations to make at least 200 people.
 * Deterministic: running it again gives the same file. `npm run sim:population`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { centuryGenderDigit } from '../src/accounts/cccd.js';
import { demoOfficials } from '../src/demo/officials.js';
import type { SimPerson } from './population-types.js';
import { prng } from '../src/shared/prng.js';

const rnd = prng(7070);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

const SURNAMES = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
  'Điểu',
];
const MIDDLE = {
  male: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành', 'Công', 'Gia'],
  female: ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Bảo', 'Khánh'],
};
const GIVEN = {
  male: ['An', 'Bảo', 'Cường', 'Đạt', 'Hiếu', 'Hòa', 'Khang', 'Lâm', 'Lộc', 'Nhân', 'Phong', 'Tâm', 'Thịnh', 'Toàn', 'Vinh', 'Vũ'],
  female: ['Ánh', 'Châu', 'Dung', 'Giang', 'Hằng', 'Hiền', 'Huyền', 'Loan', 'My', 'Nhung', 'Oanh', 'Quyên', 'Thư', 'Trâm', 'Vân', 'Xuân'],
};
const PLACES = [
  'Phường Tân Phú, thành phố Đồng Xoài, tỉnh Bình Phước',
  'Phường Tân Bình, thành phố Đồng Xoài, tỉnh Bình Phước',
  'Xã Minh Hưng, huyện Bù Đăng, tỉnh Bình Phước',
  'Phường Hưng Chiến, thị xã Bình Long, tỉnh Bình Phước',
  'Phường Trảng Dài, thành phố Biên Hòa, tỉnh Đồng Nai',
];
const ISSUER = 'Cục Cảnh sát quản lý hành chính về trật tự xã hội';

function person(p: Omit<SimPerson, 'techId' | 'password' | 'thuDienTu' | 'ngayCap' | 'noiCap'> & Partial<SimPerson>, i: number): SimPerson {
  return {
    techId: `TECH-${String(100000 + i)}-${digits(4)}`,
    password: `Vneid@${p.soDinhDanh.slice(-4)}`,
    thuDienTu: i % 4 === 0 ? '' : `nguoidung${i}@demo.vneid.invalid`,
    ngayCap: p.ngayCap ?? `20${21 + (i % 4)}-0${1 + (i % 9)}-${10 + (i % 18)}`,
    noiCap: ISSUER,
    ...p,
  };
}

const people: SimPerson[] = [];
for (const o of demoOfficials()) {
  people.push(
    person(
      {
        soDinhDanh: o.identityCccd,
        hoVaTen: `${o.middleName} ${o.givenName}`,
        ngaySinh: o.dateOfBirth,
        gioiTinh: o.gender,
        ngayCap: o.issueDate,
        diaChi: pick(PLACES),
        soDienThoai: o.mobile,
        // One official has only level 1, to show the refusal where level 2 is required.
        loa: people.length === 7 ? 1 : 2,
        loaiTaiKhoan: 1,
        role: 'official',
        demoUsername: o.username,
      },
      people.length,
    ),
  );
}
const taken = new Set(people.map((p) => p.soDinhDanh));
while (people.length < 220) {
  const i = people.length;
  const gender: 'male' | 'female' = rnd() < 0.5 ? 'male' : 'female';
  const year = 1950 + Math.floor(rnd() * 56);
  const dob = `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
  const cccd = `${pick(['070', '070', '070', '075', '079', '074', '038'])}${centuryGenderDigit(year, gender)}${String(year % 100).padStart(2, '0')}${digits(6)}`;
  if (taken.has(cccd)) continue;
  taken.add(cccd);
  const name = `${pick(SURNAMES)} ${pick(MIDDLE[gender])} ${pick(GIVEN[gender])}`;
  const business = i % 20 === 0;
  people.push(
    person(
      {
        soDinhDanh: cccd,
        hoVaTen: name,
        ngaySinh: dob,
        gioiTinh: gender,
        diaChi: pick(PLACES),
        soDienThoai: `0${pick(['3', '7', '8', '9'])}${digits(8)}`,
        loa: rnd() < 0.8 ? 2 : 1,
        loaiTaiKhoan: business ? 2 : 1,
        ...(business ? { maSoThue: `38${digits(8)}`, tenDoanhNghiep: `Công ty TNHH ${name.split(' ').slice(-1)[0]} Bình Phước` } : {}),
        role: 'citizen',
      },
      i,
    ),
  );
}

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data/population.json');
fs.writeFileSync(out, `${JSON.stringify(people, null, 1)}\n`);
console.log(`wrote ${people.length} people to ${out}`);
