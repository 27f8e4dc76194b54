/** Figures as officials read them: counts with Vietnamese digit grouping, rates as a percentage with one decimal. */

const COUNT = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const RATE = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 12345 → "12.345". */
export const formatCount = (n: number): string => COUNT.format(n);

/** 0.8765 → "87,7%"; null (nothing settled) → "—". */
export const formatRate = (rate: number | null): string => (rate === null ? '—' : `${RATE.format(rate * 100)}%`);
