import { describe, expect, it } from 'vitest';
import { cleanText, foldVietnamese } from './text.js';
import { formatDate, formatDateTime, parseDate } from './dates.js';

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
  it('drops the bidirectional controls from text that reaches us other than through a form (a VNeID name)', () => {
    expect(cleanText('Nguyễn \u202EnăV\u202C An\u2066')).toBe('Nguyễn năV An');
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
  it('reads what a phone keypad can type: eight digits, dots, dashes or spaces, always day first', () => {
    expect(parseDate('05031990')).toBe('1990-03-05');
    expect(parseDate(' 05.03.1990 ')).toBe('1990-03-05');
    expect(parseDate('5-3-1990')).toBe('1990-03-05');
    expect(parseDate('05 03 1990')).toBe('1990-03-05');
    expect(parseDate('05 / 03 / 1990')).toBe('1990-03-05');
    expect(parseDate('29022024')).toBe('2024-02-29');
    expect(parseDate('29022023')).toBeNull();
    expect(parseDate('20011990')).toBe('1990-01-20');
    expect(parseDate('19900305')).toBeNull();
    expect(parseDate('5031990')).toBeNull();
    expect(parseDate('05/03/90')).toBeNull();
    expect(parseDate('05..03.1990')).toBeNull();
    // yyyymmdd of 1901–1912 or 2001–2012 is also a ddmmyyyy "date" before the year 1900: refused, not misread.
    expect(parseDate('20110105')).toBeNull();
    expect(parseDate('19120304')).toBeNull();
    expect(parseDate('05/03/0105')).toBe('0105-03-05');
  });
  it('answers hostile input at once (runs of spaces between separators: the first pattern took hours on 64 KB)', () => {
    // On the first version this test does not end (vitest's time-out fails it); bounded input makes it instant.
    for (const n of [100, 1_000, 30_000]) {
      expect(parseDate(`1${' '.repeat(n)}1${' '.repeat(n)}x`)).toBeNull();
      expect(parseDate(`1 ${'/ '.repeat(n)}1 x`)).toBeNull();
    }
    expect(parseDate(`  05/03/1990${' '.repeat(50)}`)).toBe('1990-03-05');
    expect(parseDate(`05/03/1990${'0'.repeat(30)}`)).toBeNull();
  });
  it('formats ISO for display', () => {
    expect(formatDate('1984-06-26')).toBe('26/06/1984');
    expect(formatDate(null)).toBe('');
  });

  it('shows instants in Vietnam time, across midnight and the year end, as Intl does', () => {
    expect(formatDateTime(new Date('2026-12-31T17:30:05Z'))).toBe('01/01/2027 00:30:05');
    expect(formatDateTime('2026-02-16T01:02:03.999Z')).toBe('16/02/2026 08:02:03');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('not a date')).toBe('');
    const intl = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      dateStyle: 'short',
      timeStyle: 'medium',
      hourCycle: 'h23',
    });
    for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2030, 0, 1); t += 86_400_000 * 37 + 3_600_000 * 5 + 61_000) {
      expect(formatDateTime(new Date(t))).toBe(intl.format(t).replace(',', ''));
    }
  });
});
