import { describe, expect, it } from 'vitest';
import { cleanText, foldVietnamese } from './text.js';
import { formatDate, parseDate } from './dates.js';

describe('Vietnamese text', () => {
  it('folds diacritics and đ for search', () => {
    expect(foldVietnamese('Trịnh Thị Thủy')).toBe('trinh thi thuy');
    expect(foldVietnamese('ĐỖ ĐỨC ĐẠT')).toBe('do duc dat');
    expect(foldVietnamese('Thủy'.normalize('NFD'))).toBe('thuy');
  });
  it('stores NFC and collapses whitespace', () => {
    const v = cleanText('  Nguyễn   Văn '.normalize('NFD'));
    expect(v).toBe('Nguyễn Văn'.normalize('NFC'));
    expect(v).toBe(v.normalize('NFC'));
  });
});

describe('dates dd/mm/yyyy', () => {
  it('parses real dates only', () => {
    expect(parseDate('26/06/1984')).toBe('1984-06-26');
    expect(parseDate('1/2/2001')).toBe('2001-02-01');
    expect(parseDate('2001-02-01')).toBe('2001-02-01');
    expect(parseDate('29/02/2023')).toBeNull();
    expect(parseDate('29/02/2024')).toBe('2024-02-29');
    expect(parseDate('32/01/2020')).toBeNull();
    expect(parseDate('06-26-1984')).toBeNull();
  });
  it('formats ISO for display', () => {
    expect(formatDate('1984-06-26')).toBe('26/06/1984');
    expect(formatDate(null)).toBe('');
  });
});
