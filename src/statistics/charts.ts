/**
 * The report page's charts, drawn on the server as SVG by ECharts' SSR renderer: no script in the browser, printable,
 * and each with its numbers as a table beside it (the page shows the table to screen readers and on paper). ECharts is
 * loaded at the first chart, not at start: most requests never draw one.
 */
import { CHANNELS } from '../db/schema/index.js';
import type { ChartSeries } from './chart-data.js';
import { formatCount, formatRate } from './format.js';
import type { SituationRow } from './report-types.js';

export type Chart = {
  id: string;
  title: string;
  /** The SVG markup ECharts drew (text escaped by its renderer). */
  svg: string;
  /** The numbers drawn, as a table: header and rows of text. */
  table: { head: string[]; rows: string[][] };
};

type ECharts = typeof import('echarts');
let loading: Promise<ECharts> | null = null;
const echarts = () => {
  loading ??= import('echarts');
  return loading;
};

const FONT = { fontFamily: 'Arial, sans-serif', fontSize: 12 };

/**
 * The SVG drawn for each recent (chart, size, data): drawing is a pure function of them and costs ~10 ms of CPU, while
 * the leaders of a province open the same few reports (measured: a third of the report page's CPU — bench/README.md
 * §8). Keyed by the data itself, an entry is never stale, so no instance needs telling when figures change.
 */
const drawn = new Map<string, string>();
const DRAWN_MAX = 200;

/** One chart drawn to SVG at the given size (`kind` names the chart: its option's functions are not in the key). */
async function draw(kind: string, width: number, height: number, option: Record<string, unknown>): Promise<string> {
  const key = `${kind} ${width}x${height} ${JSON.stringify(option)}`;
  const hit = drawn.get(key);
  if (hit !== undefined) {
    // Most recently used last: the oldest is the first key.
    drawn.delete(key);
    drawn.set(key, hit);
    return hit;
  }
  const svg = await render(width, height, option);
  drawn.set(key, svg);
  if (drawn.size > DRAWN_MAX) drawn.delete(drawn.keys().next().value as string);
  return svg;
}

/** The instance is disposed whatever happens. */
async function render(width: number, height: number, option: Record<string, unknown>): Promise<string> {
  const lib = await echarts();
  const chart = lib.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: FONT, ...option });
    // The pages' policy refuses inline styles (style-src 'self'): the font ECharts writes on each text is app.css's
    // `.chart svg text` instead, and its <style> block (hover highlights, which mean nothing without its script) goes.
    return chart
      .renderToSVGString()
      .replace(/ style="[^"]*"/g, '')
      .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '');
  } finally {
    chart.dispose();
  }
}

const monthLabel = (start: string) => `${start.slice(5, 7)}/${start.slice(0, 4)}`;

async function onTimeByMonth(months: ChartSeries['months']): Promise<Chart> {
  const svg = await draw('on-time-by-month', 720, 280, {
    grid: { left: 50, right: 20, top: 30, bottom: 40 },
    xAxis: { type: 'category', data: months.map((m) => monthLabel(m.month)) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        type: 'bar',
        name: 'Tỷ lệ đúng hạn',
        data: months.map((m) => (m.rate === null ? null : Math.round(m.rate * 1000) / 10)),
        itemStyle: { color: '#1f6f43' },
        label: { show: true, position: 'top', formatter: ({ value }: { value: number }) => formatRate(value / 100) },
      },
    ],
  });
  return {
    id: 'bieu-do-dung-han',
    title: 'Tỷ lệ giải quyết đúng hạn theo tháng (12 tháng đến hết kỳ báo cáo)',
    svg,
    table: {
      head: ['Tháng', 'Đã giải quyết', 'Trước hạn và đúng hạn', 'Tỷ lệ đúng hạn'],
      rows: months.map((m) => [
        monthLabel(m.month),
        formatCount(m.settled),
        formatCount(m.onTime),
        m.rate === null ? '—' : `${formatRate(m.rate)}`,
      ]),
    },
  };
}

async function byChannel(channels: ChartSeries['channels']): Promise<Chart> {
  const svg = await draw('by-channel', 420, 280, {
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['35%', '65%'],
        center: ['50%', '45%'],
        data: channels.map((c) => ({ name: CHANNELS[c.channel], value: c.n })),
        label: { formatter: '{b}: {c}' },
        color: ['#1f4e79', '#2e86c1', '#a9cce3'],
      },
    ],
  });
  return {
    id: 'bieu-do-kenh',
    title: 'Hồ sơ tiếp nhận trong kỳ theo hình thức',
    svg,
    table: { head: ['Hình thức', 'Số hồ sơ'], rows: channels.map((c) => [CHANNELS[c.channel], formatCount(c.n)]) },
  };
}

async function inProgressByRow(rows: SituationRow[]): Promise<Chart> {
  // The longest rows first; at most 30 bars (the table beside the chart and the report hold every row).
  const shown = [...rows]
    .sort((a, b) => b.figures.inProgress.total - a.figures.inProgress.total)
    .slice(0, 30)
    .reverse();
  const svg = await draw('late-by-row', 720, Math.max(160, 60 + shown.length * 24), {
    grid: { left: 10, right: 30, top: 30, bottom: 20, containLabel: true },
    legend: { top: 0 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: shown.map((r) => (r.label.length > 40 ? `${r.label.slice(0, 39)}…` : r.label)) },
    series: [
      { type: 'bar', stack: 'dang', name: 'Trong hạn', data: shown.map((r) => r.figures.inProgress.withinDeadline), color: '#2e86c1' },
      { type: 'bar', stack: 'dang', name: 'Quá hạn', data: shown.map((r) => r.figures.inProgress.late), color: '#c0392b' },
      { type: 'bar', stack: 'dang', name: 'Tạm dừng tính hạn', data: shown.map((r) => r.figures.inProgress.paused), color: '#95a5a6' },
    ],
  });
  return {
    id: 'bieu-do-dang-giai-quyet',
    title: 'Hồ sơ đang giải quyết và quá hạn theo dòng báo cáo',
    svg,
    table: {
      head: ['Dòng báo cáo', 'Đang giải quyết', 'Trong hạn', 'Quá hạn', 'Tạm dừng tính hạn'],
      rows: rows.map((r) => [
        r.label,
        formatCount(r.figures.inProgress.total),
        formatCount(r.figures.inProgress.withinDeadline),
        formatCount(r.figures.inProgress.late),
        formatCount(r.figures.inProgress.paused),
      ]),
    },
  };
}

/** The report page's three charts. */
export async function reportCharts(series: ChartSeries, rows: SituationRow[]): Promise<Chart[]> {
  return [await onTimeByMonth(series.months), await byChannel(series.channels), await inProgressByRow(rows)];
}
