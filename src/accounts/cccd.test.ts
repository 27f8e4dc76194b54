import { describe, it, expect } from 'vitest';
import { centuryGenderDigit, checkCccd, checkCccdFormat, type CccdCheck } from './cccd.js';
import { PROVINCE_CODES } from './province-codes.js';

// All numbers below are synthetic: province code + century/gender digit + yy + made-up 6 digits.

function problemOf(result: CccdCheck): string | null {
  return result.ok ? null : result.problem;
}

function messageOf(result: CccdCheck): string {
  if (result.ok) throw new Error('expected a failed check');
  return result.message;
}

describe('PROVINCE_CODES', () => {
  const codes = Object.keys(PROVINCE_CODES);

  it('has 63 unique 3-digit codes', () => {
    expect(codes).toHaveLength(63);
    expect(new Set(codes).size).toBe(63);
    for (const code of codes) expect(code).toMatch(/^[0-9]{3}$/);
  });

  it('has unique names', () => {
    expect(new Set(Object.values(PROVINCE_CODES)).size).toBe(63);
  });

  it('includes well-known codes', () => {
    expect(PROVINCE_CODES['001']).toBe('Thành phố Hà Nội');
    expect(PROVINCE_CODES['070']).toBe('Tỉnh Bình Phước');
    expect(PROVINCE_CODES['075']).toBe('Tỉnh Đồng Nai');
    expect(PROVINCE_CODES['079']).toBe('Thành phố Hồ Chí Minh');
    expect(PROVINCE_CODES['096']).toBe('Tỉnh Cà Mau');
  });

  it('does not contain unassigned codes', () => {
    for (const code of ['000', '003', '005', '099', '097', '100']) {
      expect(PROVINCE_CODES[code]).toBeUndefined();
    }
  });

  it('stores names in NFC', () => {
    for (const name of Object.values(PROVINCE_CODES)) {
      expect(name).toBe(name.normalize('NFC'));
    }
  });
});

describe('centuryGenderDigit', () => {
  it('maps centuries and gender', () => {
    expect(centuryGenderDigit(1900, 'male')).toBe(0);
    expect(centuryGenderDigit(1999, 'female')).toBe(1);
    expect(centuryGenderDigit(2000, 'male')).toBe(2);
    expect(centuryGenderDigit(2099, 'female')).toBe(3);
    expect(centuryGenderDigit(2100, 'male')).toBe(4);
    expect(centuryGenderDigit(2250, 'female')).toBe(7);
    expect(centuryGenderDigit(2399, 'female')).toBe(9);
  });

  it('returns null outside 1900–2399', () => {
    expect(centuryGenderDigit(1899, 'male')).toBeNull();
    expect(centuryGenderDigit(2400, 'female')).toBeNull();
    expect(centuryGenderDigit(1985.5, 'male')).toBeNull();
  });
});

describe('checkCccd — valid numbers', () => {
  it('accepts a male born in the 1900s', () => {
    expect(checkCccd('070085123456', '1985-03-14', 'male')).toEqual({
      ok: true,
      provinceCode: '070',
      provinceName: 'Tỉnh Bình Phước',
    });
  });

  it('accepts a female born in the 1900s', () => {
    expect(checkCccd('075190654321', '1990-12-01', 'female')).toEqual({
      ok: true,
      provinceCode: '075',
      provinceName: 'Tỉnh Đồng Nai',
    });
  });

  it('accepts a male born in the 2000s', () => {
    const r = checkCccd('001205000123', '2005-07-20', 'male');
    expect(r.ok).toBe(true);
  });

  it('accepts a female born in the 2000s (year 2000 → yy 00)', () => {
    const r = checkCccd('079300987654', '2000-01-01', 'female');
    expect(r).toEqual({ ok: true, provinceCode: '079', provinceName: 'Thành phố Hồ Chí Minh' });
  });

  it('trims surrounding whitespace', () => {
    expect(checkCccd('  070085123456\n', '1985-03-14', 'male').ok).toBe(true);
    expect(checkCccdFormat('\t075190654321 ').ok).toBe(true);
  });
});

describe('checkCccd — format errors', () => {
  const cases: Array<[string, string]> = [
    ['11 digits', '07008512345'],
    ['13 digits', '0700851234567'],
    ['letters', '07008512345A'],
    ['inner spaces', '070 085 123 456'],
    ['inner dash', '070-085123456'],
    ['full-width digits', '０７００８５１２３４５６'],
    ['empty', ''],
    ['whitespace only', '   '],
  ];

  for (const [label, raw] of cases) {
    it(`rejects ${label}`, () => {
      expect(problemOf(checkCccdFormat(raw))).toBe('cccd_format');
      expect(problemOf(checkCccd(raw, '1985-03-14', 'male'))).toBe('cccd_format');
    });
  }

  it('explains the expected length', () => {
    expect(messageOf(checkCccdFormat('07008512345'))).toContain('12 chữ số');
  });
});

describe('checkCccd — unknown province', () => {
  for (const code of ['003', '099', '000']) {
    it(`rejects province code ${code}`, () => {
      const raw = `${code}085123456`;
      const r = checkCccd(raw, '1985-03-14', 'male');
      expect(problemOf(r)).toBe('cccd_province');
      expect(messageOf(r)).toBe(`Mã tỉnh "${code}" ở 3 chữ số đầu của số CCCD không tồn tại.`);
      expect(problemOf(checkCccdFormat(raw))).toBe('cccd_province');
    });
  }

  it('checks format before province', () => {
    expect(problemOf(checkCccd('00308512345', '1985-03-14', 'male'))).toBe('cccd_format');
  });
});

describe('checkCccd — century/gender digit', () => {
  it('rejects a female digit for a male', () => {
    const r = checkCccd('070185123456', '1985-03-14', 'male');
    expect(problemOf(r)).toBe('cccd_century_gender');
    expect(messageOf(r)).toBe('Chữ số thứ 4 của số CCCD (1) không khớp với giới tính và thế kỷ năm sinh đã nhập (phải là 0).');
  });

  it('rejects a male digit for a female', () => {
    const r = checkCccd('075290654321', '2090-05-05', 'female');
    expect(problemOf(r)).toBe('cccd_century_gender');
    expect(messageOf(r)).toContain('(phải là 3)');
  });

  it('rejects a digit from the wrong century', () => {
    // 1900s digit (0) but born in 2001
    const r = checkCccd('070001123456', '2001-02-03', 'male');
    expect(problemOf(r)).toBe('cccd_century_gender');
    expect(messageOf(r)).toContain('(phải là 2)');
  });

  it('rejects birth years outside the encodable range', () => {
    expect(problemOf(checkCccd('070099123456', '1899-01-01', 'male'))).toBe('cccd_century_gender');
  });

  it('is checked before the two-digit year', () => {
    // both digit 4 and digits 5–6 are wrong; century/gender is reported
    expect(problemOf(checkCccd('070150123456', '1985-03-14', 'male'))).toBe('cccd_century_gender');
  });
});

describe('checkCccd — two-digit year', () => {
  it('rejects a year mismatch', () => {
    const r = checkCccd('070085123456', '1986-03-14', 'male');
    expect(problemOf(r)).toBe('cccd_birth_year');
    expect(messageOf(r)).toBe('Chữ số thứ 5–6 của số CCCD (85) không khớp với năm sinh 1986 (phải là 86).');
  });

  it('pads single-digit years', () => {
    const r = checkCccd('001210000123', '2005-07-20', 'male');
    expect(problemOf(r)).toBe('cccd_birth_year');
    expect(messageOf(r)).toContain('(phải là 05)');
  });
});

describe('checkCccd — misuse', () => {
  it('throws on a malformed dateOfBirth', () => {
    expect(() => checkCccd('070085123456', '14/03/1985', 'male')).toThrow(RangeError);
  });
});

describe('messages', () => {
  it('are NFC', () => {
    const failures: CccdCheck[] = [
      checkCccdFormat(''),
      checkCccdFormat('0700851234'),
      checkCccdFormat('070 085 123 456'),
      checkCccdFormat('003085123456'),
      checkCccd('070185123456', '1985-03-14', 'male'),
      checkCccd('070085123456', '1986-03-14', 'male'),
      checkCccd('070099123456', '1899-01-01', 'male'),
    ];
    for (const r of failures) {
      const msg = messageOf(r);
      expect(msg.length).toBeGreaterThan(0);
      expect(msg).toBe(msg.normalize('NFC'));
    }
  });
});
