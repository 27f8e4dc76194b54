/**
 * The addresses the provincial SSO never sends to (a back-channel logout URI, at registration and at connection):
 * loopback (127/8, ::1, localhost), link-local (169.254/16 — the cloud metadata service —, fe80::/10), unspecified
 * (0/8, ::), multicast (224/4, ff00::/8) and broadcast or reserved (240/4). The private ranges (10/8, 172.16/12,
 * 192.168/16, fc00::/7) stay allowed: the province's applications live there. An IPv6 address that embeds an IPv4
 * one (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d) is judged as that IPv4 address. docs/decisions/0022.
 */
import net from 'node:net';

export type RefusedKind = 'loopback' | 'link-local' | 'unspecified' | 'multicast' | 'broadcast';

/** What each kind is, as an administrator reads it (the job's failure, the form's message). */
export const REFUSED_KIND_TEXT: Record<RefusedKind, string> = {
  loopback: 'địa chỉ nội bộ của chính máy chủ (loopback)',
  'link-local': 'địa chỉ link-local',
  unspecified: 'địa chỉ không xác định (0.0.0.0, ::)',
  multicast: 'địa chỉ multicast',
  broadcast: 'địa chỉ broadcast hoặc dành riêng',
};

function ipv4Kind([a, b]: number[]): RefusedKind | null {
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 169 && b === 254) return 'link-local';
  if (a! >= 224 && a! <= 239) return 'multicast';
  if (a! >= 240) return 'broadcast';
  return null;
}

/** The eight 16-bit groups of a valid IPv6 address (a dotted IPv4 tail included). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => Number.parseInt(g, 16));
}

function ipv6Kind(g: number[]): RefusedKind | null {
  const zeros = (n: number) => g.slice(0, n).every((v) => v === 0);
  if (zeros(8)) return 'unspecified';
  if (zeros(7) && g[7] === 1) return 'loopback';
  const mapped = zeros(5) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((v) => v === 0);
  if (mapped || zeros(6) || nat64) return ipv4Kind([g[6]! >> 8, g[6]! & 0xff]);
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  return null;
}

/** Whether an IP address (as a resolver or a socket gives it; an IPv6 zone is ignored) is refused, and as what. */
export function refusedAddress(address: string): RefusedKind | null {
  const ip = address.replace(/%.*$/, '');
  if (net.isIPv4(ip)) return ipv4Kind(ip.split('.').map(Number));
  if (net.isIPv6(ip)) return ipv6Kind(ipv6Groups(ip.toLowerCase()));
  return null;
}

/**
 * Whether a URL's host (WHATWG `hostname`: IPv4 already normalised from decimal, hex or octal forms, IPv6 in
 * brackets) is refused by itself: an IP address of the list, or localhost and its subdomains. Any other name is
 * judged when it is resolved, at connection (guarded-fetch.ts).
 */
export function refusedHost(hostname: string): RefusedKind | null {
  const host = hostname.toLowerCase().replace(/\.+$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return refusedAddress(host.startsWith('[') ? host.slice(1, -1) : host);
}
