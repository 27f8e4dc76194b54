/**
 * A year's days as the administrator types them on Lịch làm việc: one day a line, "dd/mm/yyyy" then its name
 * ("27/01/2025 Tết Nguyên Đán"), and the same text back for the form.
 */
import { z } from 'zod';
import type { CalendarEntry } from './announced-schedules.js';
import { weekday } from './vietnam-holidays.js';
import { formatDate, parseDate } from '../shared/dates.js';
import { cleanText } from '../shared/text.js';

const LINE = /^(\S+)\s*(?:[-–:]\s*)?(.*)$/;

export const entriesText = (entries: readonly CalendarEntry[]) => entries.map((e) => `${formatDate(e.date)} ${e.name}`).join('\n');

/** The lines of one list: every date real, once, on a weekday (`weekend` false) or a weekend day (true). */
export function scheduleLines(opts: { weekend: boolean; fallbackName: string }) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): CalendarEntry[] => {
      const out: CalendarEntry[] = [];
      for (const line of (raw ?? '').split(/\r?\n/)) {
        const text = cleanText(line);
        if (!text) continue;
        const m = LINE.exec(text)!;
        const date = parseDate(m[1]!);
        const shown = m[1]!;
        const problem = !date
          ? `Ngày "${shown}" không hợp lệ. Vui lòng nhập mỗi dòng một ngày theo dạng dd/mm/yyyy, rồi tên ngày.`
          : (weekday(date) === 0 || weekday(date) === 6) !== opts.weekend
            ? opts.weekend
              ? `Ngày ${shown} không phải thứ Bảy hoặc Chủ nhật.`
              : `Ngày ${shown} là thứ Bảy hoặc Chủ nhật, vốn là ngày nghỉ.`
            : out.some((e) => e.date === date)
              ? `Ngày ${shown} được nhập hai lần.`
              : (m[2] ?? '').length > 200
                ? `Tên ngày ${shown} tối đa 200 ký tự.`
                : null;
        if (problem) {
          ctx.addIssue({ code: 'custom', message: problem });
          return z.NEVER;
        }
        out.push({ date: date!, name: m[2] || opts.fallbackName });
      }
      return out.sort((a, b) => a.date.localeCompare(b.date));
    });
}
