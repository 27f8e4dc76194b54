/**
 * Where the provincial SSO may POST a back-channel logout (attack review: a registered application's back-channel
 * URI pointed at the server's own services and received the logout POST). Loopback, link-local, unspecified,
 * multicast and broadcast addresses are refused at registration (production) and at connection (also for a name
 * resolving to one); the private ranges the province's applications live on stay allowed. Redirect URIs with a
 * user name before the host or a "*" are refused; the registration's audit row holds every field.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { auditLog } from '../src/db/schema/index.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { registerSsoClient } from '../src/sso/register-sso-client.js';
import { guardedFetch } from '../src/sso/guarded-fetch.js';
import { refusedAddress } from '../src/sso/outbound-address.js';
import { testDatabase } from './support/db.js';
import { actorFor, freshDemo } from './support/fixtures.js';
import { registerTestClient, relyingParty, startSsoServer } from './support/sso.js';
import { ssoLogin } from './support/sso-flow.js';

const silent = pino({ level: 'silent' });
const BACKCHANNEL_REFUSED =
  'Địa chỉ không được trỏ tới chính máy chủ (localhost, 127.x.x.x, ::1), địa chỉ link-local (169.254.x.x, fe80::), 0.0.0.0 hay địa chỉ multicast, broadcast; địa chỉ mạng riêng (10.x, 172.16–31.x, 192.168.x) được phép.';
const APP = { name: 'Văn bản điều hành', redirectUris: ['https://vbdh.tinh.gov.vn/cb'], scopes: ['openid', 'profile'], confidential: true };

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await freshDemo(database);
});

/** A local service the attacker aims at: counts every TCP connection and every request. */
async function localService() {
  const seen = { connections: 0, requests: [] as string[] };
  const srv = http.createServer((req, res) => {
    seen.requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  srv.on('connection', () => {
    seen.connections++;
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  return {
    port,
    seen,
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())).then(() => srv.closeAllConnections()),
  };
}
describe('registration refuses a back-channel URI at the server itself (production)', () => {
  const refused = [
    'https://127.0.0.1/internal-admin/delete-all',
    'https://127.8.9.10/',
    'https://2130706433/', // 127.0.0.1 as one decimal number
    'https://0x7f.1/', // hex and short forms, normalised by the URL parser
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://localhost/bcl',
    'https://LOCALHOST./bcl',
    'https://ung-dung.localhost/bcl',
    'https://[::1]/bcl',
    'https://[0:0:0:0:0:0:0:1]/bcl',
    'https://[::ffff:127.0.0.1]/bcl',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::ffff:169.254.169.254]/',
    'https://[fe80::1]/',
    'https://0.0.0.0/',
    'https://0/',
    'https://[::]/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
    'https://[ff02::1]/',
  ];
  it('loopback (decimal, hex, octal, short and IPv6 forms too), link-local, unspecified, multicast, broadcast', async () => {
    const admin = await actorFor(database, 'quantri1');
    for (const uri of refused)
      await expect(
        registerSsoClient(database.db, admin, { ...APP, backchannelLogoutUri: uri }, { production: true }),
        uri,
      ).rejects.toMatchObject({ code: 'validation_failed', fields: { backchannelLogoutUri: BACKCHANNEL_REFUSED } });
  });

  it('the private ranges and ordinary names are accepted; the audit row holds every field', async () => {
    const admin = await actorFor(database, 'quantri1');
    for (const uri of ['https://172.16.0.5/bcl', 'https://192.168.1.10:8443/bcl', 'https://[fd00::5]/bcl', 'https://vbdh.tinh.gov.vn/bcl'])
      await registerSsoClient(database.db, admin, { ...APP, backchannelLogoutUri: uri }, { production: true });
    const { clientId } = await registerSsoClient(
      database.db,
      admin,
      {
        ...APP,
        postLogoutRedirectUris: ['https://vbdh.tinh.gov.vn/da-dang-xuat'],
        backchannelLogoutUri: 'https://10.1.2.3/backchannel-logout',
        accessTokenTtl: 300,
        refreshTokenTtl: 3600,
        idTokenTtl: 120,
      },
      { production: true },
    );
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.targetId, clientId));
    expect(audit!.data).toMatchObject({
      postLogoutRedirectUris: ['https://vbdh.tinh.gov.vn/da-dang-xuat'],
      backchannelLogoutUri: 'https://10.1.2.3/backchannel-logout',
      accessTokenTtl: 300,
      refreshTokenTtl: 3600,
      idTokenTtl: 120,
    });
  });

  it('outside production loopback registers (the connection decides); link-local does not', async () => {
    const admin = await actorFor(database, 'quantri1');
    await registerSsoClient(database.db, admin, { ...APP, backchannelLogoutUri: 'http://localhost:3100/bcl' }, { production: false });
    await expect(
      registerSsoClient(database.db, admin, { ...APP, backchannelLogoutUri: 'http://169.254.169.254/' }, { production: false }),
    ).rejects.toMatchObject({ fields: { backchannelLogoutUri: BACKCHANNEL_REFUSED } });
  });
});

describe('redirect URIs with a user name or a wildcard', () => {
  it('are refused at their field', async () => {
    const admin = await actorFor(database, 'quantri1');
    await expect(
      registerSsoClient(
        database.db,
        admin,
        {
          ...APP,
          redirectUris: [
            'https://good.vn@evil.vn/cb',
            'https://good.vn:x@evil.vn/cb',
            'https://*.tinh.gov.vn/cb',
            'https://vbdh.tinh.gov.vn/cb',
          ],
          postLogoutRedirectUris: ['https://vbdh.tinh.gov.vn/*', 'https://@evil.vn/'],
        },
        { production: true },
      ),
    ).rejects.toMatchObject({
      fields: {
        'redirectUris.0': 'Địa chỉ không được có tên người dùng hay mật khẩu (phần trước dấu @ của máy chủ).',
        'redirectUris.1': 'Địa chỉ không được có tên người dùng hay mật khẩu (phần trước dấu @ của máy chủ).',
        'redirectUris.2': 'Địa chỉ không được chứa dấu * (không dùng ký tự đại diện).',
        'postLogoutRedirectUris.0': 'Địa chỉ không được chứa dấu * (không dùng ký tự đại diện).',
        'postLogoutRedirectUris.1': 'Địa chỉ không được có tên người dùng hay mật khẩu (phần trước dấu @ của máy chủ).',
      },
    });
  });
});

describe('at connection', () => {
  let service: Awaited<ReturnType<typeof localService>>;
  beforeEach(async () => {
    service = await localService();
  });
  afterEach(async () => {
    await service.close();
  });

  it('the deny-list by address: private ranges pass, IPv4 inside IPv6 is judged as IPv4', () => {
    for (const ok of ['10.0.0.1', '172.31.255.1', '192.168.0.1', '100.64.0.1', '203.113.1.1', 'fd00::1', '::ffff:10.0.0.1', '2001:ee0::1'])
      expect(refusedAddress(ok), ok).toBeNull();
    expect(refusedAddress('127.0.0.53')).toBe('loopback');
    expect(refusedAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(refusedAddress('::ffff:7f00:1')).toBe('loopback');
    expect(refusedAddress('64:ff9b::7f00:1')).toBe('loopback');
    expect(refusedAddress('fe80::1%eth0')).toBe('link-local');
    expect(refusedAddress('::')).toBe('unspecified');
    expect(refusedAddress('239.1.1.1')).toBe('multicast');
    expect(refusedAddress('255.255.255.255')).toBe('broadcast');
  });

  it('a name resolving to 127.0.0.1 (or re-pointed there since) is refused without connecting; an IP address too', async () => {
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const post = { method: 'POST', body: new URLSearchParams({ logout_token: 'x' }) };
    const guarded = guardedFetch({ allowLoopback: false, resolve });
    await expect(guarded(`http://vbdh.tinh.gov.vn:${service.port}/internal`, post)).rejects.toThrow(
      /vbdh\.tinh\.gov\.vn: 127\.0\.0\.1 là địa chỉ nội bộ của chính máy chủ \(loopback\)/,
    );
    await expect(guarded(`http://2130706433:${service.port}/internal`, post)).rejects.toThrow(/loopback/);
    await expect(guarded(`http://[::ffff:7f00:1]:${service.port}/internal`, post)).rejects.toThrow(/loopback/);
    expect(service.seen.connections).toBe(0);
    // The same call where loopback is allowed (demo mode) reaches the service: the refusal above is the guard's.
    const res = await guardedFetch({ allowLoopback: true, resolve })(`http://vbdh.tinh.gov.vn:${service.port}/internal`, post);
    expect(res.status).toBe(200);
    expect(service.seen.requests).toEqual(['POST /internal']);
  });

  it('the back-channel logout job refuses localhost outside demo mode: the job fails, the local service sees nothing', async () => {
    const server = await startSsoServer(database);
    try {
      await database.db.execute(sql`delete from pgboss.job`);
      const uri = `http://localhost:${service.port}/internal-admin/delete-all`;
      const { clientId, clientSecret } = await registerTestClient(database, { backchannelLogoutUri: uri });
      const login = await ssoLogin(server, await relyingParty(server, clientId, clientSecret));
      expect((await login.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' })).status).toBe(303);
      const { rows } = (await database.db.execute(sql`select data from pgboss.job where name = 'sso.backchannel_logout'`)) as unknown as {
        rows: Array<{ data: { clientId: string; sid: string; subject: string } }>;
      };
      expect(rows).toHaveLength(1);
      const job = { id: 'test', retryCount: 0 } as Parameters<ReturnType<typeof jobHandlers>['sso.backchannel_logout']>[1];
      const env = { NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123', PUBLIC_URL: server.origin };
      const handlersFor = (demo: boolean) =>
        jobHandlers({
          db: database.db,
          logger: silent,
          sessionPolicy: { idleMs: 3_600_000, absoluteMs: 36_000_000 },
          config: loadConfig({ ...env, DEMO_DATA: String(demo) }),
        });

      await expect(handlersFor(false)['sso.backchannel_logout'](rows[0]!.data, job)).rejects.toThrow(
        /^Không gửi tới localhost: 127\.0\.0\.1 là .*\(loopback\)/,
      );
      expect(service.seen.connections).toBe(0);
      // Demo mode (the demo application and these tests listen on localhost): the same notice is delivered.
      await handlersFor(true)['sso.backchannel_logout'](rows[0]!.data, job);
      expect(service.seen.requests).toEqual(['POST /internal-admin/delete-all']);
    } finally {
      await server.close();
    }
  });
});
