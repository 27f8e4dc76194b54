/**
 * The provider's `fetch` (oidc-provider's `configuration.fetch`; in practice the back-channel logout POST): plain
 * node:http(s), one connection per call, that never connects to an address of outbound-address.ts. An IP address
 * in the URL is judged before anything is sent; a name is resolved by a `lookup` that drops the refused addresses,
 * and the socket connects to one it kept — so a name that resolves to 127.0.0.1, or is re-pointed there after the
 * registration (DNS rebinding), reaches nothing. This stands for oidc-provider's own guard (its undici dispatcher,
 * which also refuses the private ranges the province's applications live on): docs/decisions/0022.
 *
 * `allowLoopback`: demo mode only (provider.ts), where the demo application and the tests' receivers listen on
 * 127.0.0.1. The answer's body is read up to MAX_ANSWER_BYTES; oidc-provider's 2.5 s signal bounds the time.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { REFUSED_KIND_TEXT, type RefusedKind, refusedAddress } from './outbound-address.js';

const MAX_ANSWER_BYTES = 256 * 1024;

type Resolve = (hostname: string, family: number | undefined) => Promise<dns.LookupAddress[]>;
export type OutboundPolicy = {
  allowLoopback: boolean;
  /** The resolver (tests); default the system's, as every connection of the process. */
  resolve?: Resolve;
};

const systemResolve: Resolve = (hostname, family) => dns.promises.lookup(hostname, { all: true, family: family ?? 0 });

const refusal = (host: string, address: string, kind: RefusedKind) =>
  new Error(`Không gửi tới ${host}: ${address} là ${REFUSED_KIND_TEXT[kind]}, hệ thống xác thực tập trung không gửi tới địa chỉ này.`);

const nullBodyStatus = (status: number) => status === 204 || status === 205 || status === 304;

export function guardedFetch(policy: OutboundPolicy): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const refused = (address: string) => {
    const kind = refusedAddress(address);
    return kind && !(kind === 'loopback' && policy.allowLoopback) ? kind : null;
  };
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    (policy.resolve ?? systemResolve)(hostname, options.family as number | undefined).then(
      (addresses) => {
        const kept = addresses.filter((a) => !refused(a.address));
        const first = addresses[0];
        if (kept.length === 0) {
          const err = first ? refusal(hostname, first.address, refused(first.address)!) : new Error(`${hostname}: không có địa chỉ`);
          return callback(err as NodeJS.ErrnoException, '', 0);
        }
        if (options.all) return callback(null, kept);
        callback(null, kept[0]!.address, kept[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${url.protocol} is not fetched`);
    // An IP address is judged here (no lookup runs for it); a name, localhost included, by what it resolves to.
    const ip = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const literal = net.isIP(ip) ? refused(ip) : null;
    if (literal) throw refusal(url.host, ip, literal);
    const request = new Request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
    const body = Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = Object.fromEntries(request.headers);
    if (body.length > 0 || !['GET', 'HEAD'].includes(request.method)) headers['content-length'] = String(body.length);
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<Response>((resolve, reject) => {
      const req = send(url, { method: request.method, headers, lookup, agent: false, signal: init.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`${url.host}: the answer is over ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error(`${url.host}: the answer was cut off`));
        });
        res.on('end', () => {
          try {
            const status = res.statusCode ?? 0;
            const answerHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers))
              for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answerHeaders.append(name, v);
            resolve(new Response(nullBodyStatus(status) ? null : Buffer.concat(chunks), { status, headers: answerHeaders }));
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('error', reject);
      req.end(body.length > 0 ? body : undefined);
    });
  };
}
