/**
 * A session's device in plain Vietnamese, from its User-Agent: "Chrome trên Windows", "Safari trên iPhone",
 * "Cốc Cốc trên macOS". Only the browser family and the system, never a version: enough to recognise one's own
 * devices in Phiên đăng nhập, nothing to fingerprint.
 */
const BROWSERS: Array<[RegExp, string]> = [
  [/coc_coc_browser|CocCoc/i, 'Cốc Cốc'],
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Zalo/i, 'Zalo'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/iPhone/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

export function deviceLabel(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Thiết bị không xác định';
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} trên ${system}`;
  if (browser) return browser;
  if (system) return `Trình duyệt trên ${system}`;
  return 'Thiết bị không xác định';
}
