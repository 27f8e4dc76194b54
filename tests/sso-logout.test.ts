/**
 * Logout everywhere (issue 13 item 1, "Sessions", Done-when): the one-stop system's logout, RP-initiated logout,
 * suspension, an official ending their own session, an administrator ending an account's — each ends the
 * provider session and what it granted, and each client is told by back-channel logout through the job queue.
 * Two clients' back-channel URIs are a small node:http server; the logout tokens are verified against /sso/jwks.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import pino from 'pino';
import type { Database } from '../src/db/client.js';
import { auditLog, citizens, sessions, ssoClients, ssoModels, ssoSessionLinks } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { startJobQueue, type JobQueue } from '../src/jobs/queue.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { endAccountSessions } from '../src/accounts/end-account-sessions.js';
import { endOwnSession } from '../src/auth/end-own-session.js';
import { setBreakGlass } from '../src/cutover/set-break-glass.js';
import { setUnitCutoff } from '../src/cutover/set-cutoff.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { accountByUsername, actorFor, freshDemo } from './support/fixtures.js';
import { testDatabase } from './support/db.js';
import { Client } from './support/app.js';
import { Browser, registerTestClient, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';
import { nextAuthorization, oauthError, ssoLogin } from './support/sso-flow.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const silent = pino({ level: process.env.TEST_LOG ?? 'silent' });

let database: Database;
let server: SsoServer;
let receiver: Receiver;
let queue: JobQueue | null = null;

/**
 * Two clients' back-channel URIs (/a, /b): records each POST; answers its status, or drops the connection
 * ('down'), or never answers ('hang'); a list is answered in turn, its last answer then kept.
 */
type Answer = number | 'down' | 'hang';
type Receiver = {
  url: string;
  posts: Array<{ path: string; body: URLSearchParams }>;
  answer: Record<string, Answer | Answer[]>;
  close(): Promise<void>;
};

async function startReceiver(): Promise<Receiver> {
  const r = { posts: [], answer: {} } as unknown as Receiver;
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      r.posts.push({ path, body: new URLSearchParams(body) });
      const planned = r.answer[path] ?? 200;
      const answer = Array.isArray(planned) ? (planned.length > 1 ? planned.shift()! : planned[0]!) : planned;
      if (answer === 'down') return req.socket.destroy();
      if (answer === 'hang') return;
      res.writeHead(answer).end();
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  r.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    });
  return r;
}

/** The job worker as the app runs it, with a short back-off for the test. */
async function startWorker(retry: { retryLimit?: number; retryDelaySeconds?: number } = {}) {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '3999',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-123',
    PUBLIC_URL: server.origin,
  });
  queue = await startJobQueue(database, {
    logger: silent,
    handlers: jobHandlers({ db: database.db, logger: silent, sessionPolicy: { idleMs: 3_600_000, absoluteMs: 36_000_000 }, config }),
    schedules: false,
    pollingIntervalSeconds: 0.5,
    settings: { 'sso.backchannel_logout': { retryBackoff: false, retryDelaySeconds: 1, ...retry } },
  });
}

async function until<T>(what: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function jobs(state?: string) {
  const res = (await database.db.execute(
    sql`select state, retry_count, data from pgboss.job where name = 'sso.backchannel_logout' ${state ? sql`and state = ${state}` : sql``}`,
  )) as unknown as { rows: Array<{ state: string; retry_count: number; data: { clientId: string; sid: string; subject: string } }> };
  return res.rows;
}

/** Two applications with back-channel URIs; the second gets pairwise subjects. */
async function twoClients() {
  const a = await registerTestClient(database, { name: 'Văn bản điều hành', backchannelLogoutUri: `${receiver.url}/a` });
  const b = await registerTestClient(database, { name: 'Quản lý cán bộ', backchannelLogoutUri: `${receiver.url}/b` });
  await database.db.update(ssoClients).set({ subjectType: 'pairwise' }).where(eq(ssoClients.clientId, b.clientId));
  return {
    a: { ...a, rp: await relyingParty(server, a.clientId, a.clientSecret) },
    b: { ...b, rp: await relyingParty(server, b.clientId, b.clientSecret) },
  };
}

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await freshDemo(database);
  await database.db.execute(sql`delete from pgboss.job`);
  server = await startSsoServer(database);
  receiver = await startReceiver();
});
afterEach(async () => {
  await queue?.stop(2_000);
  queue = null;
  await receiver.close();
  await server.close();
});

describe('logout reaches every application of the session', () => {
  it('one-stop logout: each client gets a logout token that verifies against /sso/jwks (iss, aud, sub as it knows it, sid, events, no nonce); the grants end', async () => {
    const { a, b } = await twoClients();
    const first = await ssoLogin(server, a.rp);
    // One provider session serves the second application: no second login.
    const second = await ssoLogin(server, b.rp, { browser: first.browser, staff: first.staff });
    const idA = first.tokens.claims()!;
    const idB = second.tokens.claims()!;
    const admin = await accountByUsername(database, 'quantri1');
    expect(idA.sub).toBe(admin!.id);
    expect(idB.sub).not.toBe(admin!.id); // pairwise
    expect(idA.sid).toBeTruthy();
    const [link] = await database.db.select().from(ssoSessionLinks);
    expect(link!.subject).toBe(admin!.id);

    const out = await first.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' });
    expect(out.status).toBe(303);
    // Enqueued with the logout itself: one job per client and session.
    expect((await jobs()).map((j) => j.data.clientId).sort()).toEqual([a.clientId, b.clientId].sort());
    expect(await database.db.select().from(ssoModels).where(eq(ssoModels.model, 'Session'))).toEqual([]);
    expect(await database.db.select().from(ssoSessionLinks)).toEqual([]);

    await startWorker();
    await until(() => receiver.posts.length >= 2 || undefined);
    const jwks = jose.createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    for (const [path, client, idToken] of [
      ['/a', a, idA],
      ['/b', b, idB],
    ] as const) {
      const post = receiver.posts.find((p) => p.path === path)!;
      const token = post.body.get('logout_token')!;
      const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
        issuer: server.issuer,
        audience: client.clientId,
        typ: 'logout+jwt',
      });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload.sub).toBe(idToken.sub);
      expect(payload.sid).toBe(idToken.sid);
      expect(payload.events).toEqual({ [EVENT]: {} });
      expect(payload.nonce).toBeUndefined();
      expect(typeof payload.jti).toBe('string');
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
    }
    await until(async () => ((await jobs('completed')).length === 2 ? true : undefined));
    // What the session granted is gone: the refresh tokens are refused, the access tokens inactive.
    expect(await oauthError(oidc.refreshTokenGrant(a.rp, first.tokens.refresh_token!))).toBe('invalid_grant');
    expect((await oidc.tokenIntrospection(b.rp, second.tokens.access_token)).active).toBe(false);
  });

  it('RP-initiated logout at the provider ends the one-stop session too, and tells the other application', async () => {
    const { a, b } = await twoClients();
    await database.db
      .update(ssoClients)
      .set({ postLogoutRedirectUris: ['https://vbdh.example.gov.vn/da-dang-xuat'] })
      .where(eq(ssoClients.clientId, a.clientId));
    const first = await ssoLogin(server, a.rp);
    await ssoLogin(server, b.rp, { browser: first.browser, staff: first.staff });
    expect((await first.staff.get('/tiepnhan')).status).toBe(200);

    const end = oidc.buildEndSessionUrl(a.rp, {
      id_token_hint: first.tokens.id_token!,
      post_logout_redirect_uri: 'https://vbdh.example.gov.vn/da-dang-xuat',
      state: 'st1',
    });
    const question = await first.browser.get(end.href);
    expect(question.text).toContain('Bạn có muốn đăng xuất');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.text)![1]!;
    const done = await first.browser.get(`${server.issuer}/session/end/confirm`, { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('https://vbdh.example.gov.vn/da-dang-xuat?state=st1');

    // The one-stop system is logged out too.
    const after = await first.staff.get('/tiepnhan');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/\/tiepnhan\/dang-nhap/);
    expect(await database.db.select().from(sessions)).toEqual([]);
    expect((await jobs()).map((j) => j.data.clientId).sort()).toEqual([a.clientId, b.clientId].sort());
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.logout'));
    expect(audit!.data).toMatchObject({ browserSessions: 1, notices: 2 });
    // The browser has no provider session left: the next authorization asks for a login.
    expect(await nextAuthorization(server, a.rp, first.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
  });

  it('"Không, tiếp tục làm việc" at the provider logs out of the asking application only: it is told, the rest stays', async () => {
    const { a, b } = await twoClients();
    const first = await ssoLogin(server, a.rp);
    await ssoLogin(server, b.rp, { browser: first.browser, staff: first.staff });
    const end = oidc.buildEndSessionUrl(a.rp, { id_token_hint: first.tokens.id_token! });
    const xsrf = /name="xsrf" value="([^"]+)"/.exec((await first.browser.get(end.href)).text)![1]!;
    expect((await first.browser.get(`${server.issuer}/session/end/confirm`, { xsrf })).status).toBe(303);
    expect((await jobs()).map((j) => j.data.clientId)).toEqual([a.clientId]);
    expect((await first.staff.get('/tiepnhan')).status).toBe(200);
    expect(await oauthError(oidc.refreshTokenGrant(a.rp, first.tokens.refresh_token!))).toBe('invalid_grant');
    expect(await nextAuthorization(server, b.rp, first.browser)).toMatch(/^https:\/\/vbdh\.example\.gov\.vn\/auth\/callback\?code=/);
  });

  it("a citizen's portal logout ends the provider session made from it and tells the application", async () => {
    const app = await registerTestClient(database, {
      name: 'Cổng thông tin (thử nghiệm)',
      scopes: ['openid', 'profile', 'citizen'],
      backchannelLogoutUri: `${receiver.url}/a`,
    });
    const rp = await relyingParty(server, app.clientId, app.clientSecret);
    const [citizen] = await database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: 'sso-logout-1', cccd: '001090000321', fullName: 'Công dân Thử', loa: 2 })
      .returning();
    const token = await createCitizenSession(database.db, citizen!.id, { idleMs: 1_800_000, absoluteMs: 3_600_000 }, new Date());
    const browser = new Browser();
    browser.cookies.set('motcua_portal', token);
    const login = await ssoLogin(server, rp, { browser, scope: 'openid profile citizen' });
    expect(login.tokens.claims()!.sub).toBe(citizen!.id);

    const portal = new Client(server.app);
    portal.cookies.set('motcua_portal', token);
    expect((await portal.post('/dang-xuat', {}, { csrfFrom: '/' })).status).toBe(303);
    expect(await database.db.select().from(ssoModels).where(eq(ssoModels.model, 'Session'))).toEqual([]);
    expect((await jobs()).map((j) => j.data)).toEqual([{ clientId: app.clientId, sid: login.tokens.claims()!.sid, subject: citizen!.id }]);
    expect(await oauthError(oidc.refreshTokenGrant(rp, login.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it("suspension ends the account's provider session at once: the next authorization asks for a login, its refresh token is refused", async () => {
    const { a } = await twoClients();
    const login = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    const target = await accountByUsername(database, 'admin.sct');
    await setSuspended(database.db, await actorFor(database, 'quantri1'), target!.id, true, new Date());

    expect(await oauthError(oidc.refreshTokenGrant(a.rp, login.tokens.refresh_token!))).toBe('invalid_grant');
    expect(await nextAuthorization(server, a.rp, login.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
    const queued = await jobs();
    expect(queued.map((j) => j.data)).toEqual([{ clientId: a.clientId, sid: login.tokens.claims()!.sid, subject: target!.id }]);
  });

  it('a provider session whose one-stop session lapsed serves no one: the next authorization asks for a login, its clients are told', async () => {
    const { a } = await twoClients();
    const login = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    expect(await nextAuthorization(server, a.rp, login.browser)).toMatch(/^https:\/\/vbdh\.example\.gov\.vn\/auth\/callback\?code=/);
    // Idle past the limit (the test app's default), as on a counter PC left alone.
    await database.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - 24 * 3_600_000) });
    expect(await nextAuthorization(server, a.rp, login.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
    expect(await oauthError(oidc.refreshTokenGrant(a.rp, login.tokens.refresh_token!))).toBe('invalid_grant');
    expect((await jobs()).map((j) => j.data.clientId)).toEqual([a.clientId]);
  });

  it('the sso.purge job ends the provider sessions of timed-out one-stop sessions and tells their clients', async () => {
    const { a } = await twoClients();
    const login = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    const policy = { idleMs: 1_800_000, absoluteMs: 36_000_000 };
    const purge = () =>
      jobHandlers({ db: database.db, logger: silent, sessionPolicy: policy })['sso.purge']({}, { id: 'test', retryCount: 0 });
    await purge();
    expect(await database.db.select().from(ssoModels).where(eq(ssoModels.model, 'Session'))).toHaveLength(1);
    await database.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - policy.idleMs - 60_000) });
    await purge();
    expect(await database.db.select().from(ssoModels).where(eq(ssoModels.model, 'Session'))).toEqual([]);
    expect(await database.db.select().from(ssoSessionLinks)).toEqual([]);
    expect((await jobs()).map((j) => j.data.clientId)).toEqual([a.clientId]);
    expect(await oauthError(oidc.refreshTokenGrant(a.rp, login.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it("an official ends their own session by id (and its applications' session), never another official's", async () => {
    const { a } = await twoClients();
    const theirs = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    const mine = await ssoLogin(server, a.rp, { username: 'admin.snv' });
    const sct = await accountByUsername(database, 'admin.sct');
    const [theirSession] = await database.db.select().from(sessions).where(eq(sessions.accountId, sct!.id));
    const me = await actorFor(database, 'admin.snv');
    // By id, another official's session: not found, and it lives on.
    await expect(endOwnSession(database.db, me, null, { phien: theirSession!.idHash })).rejects.toMatchObject({ status: 404 });
    expect((await theirs.staff.get('/tiepnhan')).status).toBe(200);
    expect(await nextAuthorization(server, a.rp, theirs.browser)).toMatch(/^https:\/\/vbdh\.example\.gov\.vn\/auth\/callback\?code=/);
    // Their own: ends with its provider session.
    const [mySession] = await database.db.select().from(sessions).where(eq(sessions.accountId, me.accountId));
    await endOwnSession(database.db, me, null, { phien: mySession!.idHash });
    expect((await mine.staff.get('/tiepnhan')).status).toBe(303);
    expect(await nextAuthorization(server, a.rp, mine.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
    expect((await jobs()).map((j) => j.data.subject)).toEqual([me.accountId]);
  });

  it('an administrator ends every session of an account in their subtree; one of another unit cannot', async () => {
    const { a } = await twoClients();
    const login = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    const target = await accountByUsername(database, 'admin.sct');
    await expect(endAccountSessions(database.db, await actorFor(database, 'admin.snv'), target!.id)).rejects.toMatchObject({ status: 404 });
    expect(await nextAuthorization(server, a.rp, login.browser)).toMatch(/^https:\/\/vbdh\.example\.gov\.vn\/auth\/callback\?code=/);
    expect(await jobs()).toEqual([]);

    const ended = await endAccountSessions(database.db, await actorFor(database, 'quantri1'), target!.id);
    expect(ended).toMatchObject({ browserSessions: 1, providerSessions: 1, notices: 1 });
    expect(await nextAuthorization(server, a.rp, login.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'account.end_sessions'), eq(auditLog.targetId, target!.id)));
    expect(audit).toHaveLength(1);
  });

  it('naming or un-naming a break-glass account ends its sessions and its applications are told, as a suspension', async () => {
    const { a } = await twoClients();
    const login = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    const target = (await accountByUsername(database, 'admin.sct'))!;
    await setBreakGlass(database.db, await actorFor(database, 'quantri1'), target.id, true, new Date());
    expect((await login.staff.get('/tiepnhan')).status).toBe(303);
    expect(await nextAuthorization(server, a.rp, login.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
    expect((await jobs()).map((j) => j.data.subject)).toEqual([target.id]);
    const [on] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'cutover.break_glass_on'), eq(auditLog.targetId, target.id)));
    expect(on!.data).toMatchObject({ sessionsEnded: { browserSessions: 1, providerSessions: 1, notices: 1 } });
  });

  it('a password session the VNeID-only cutoff ended ends its provider session, whichever side is asked first', async () => {
    const { a } = await twoClients();
    const target = (await accountByUsername(database, 'admin.sct'))!;
    const first = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    const second = await ssoLogin(server, a.rp, { username: 'admin.sct' });
    const today = todayInVietnam(new Date());
    const dmy = `${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`;
    await setUnitCutoff(database.db, await actorFor(database, 'quantri1'), target.unitId, { date: dmy }, new Date());
    // The one-stop side first: refused, ended with its provider session, the application told.
    const refused = await first.staff.get('/tiepnhan');
    expect(refused.location).toContain('het-mat-khau=1');
    expect((await jobs()).map((j) => j.data.subject)).toEqual([target.id]);
    expect(await nextAuthorization(server, a.rp, first.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
    // The provider side first: it logs no application in with it either.
    expect(await nextAuthorization(server, a.rp, second.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);
    expect(await jobs()).toHaveLength(2);
    // The provider's login page came through the one-stop middleware with the browser's cookie: that ended it too.
    expect(await database.db.select().from(sessions).where(eq(sessions.accountId, target.id))).toEqual([]);
    const ended = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.session_cutoff'));
    expect(ended.map((e) => e.targetId)).toEqual([target.id, target.id]);
  });

  it('a client whose back-channel URI is down, then times out, is retried by the job; one that never answers 2xx ends failed', async () => {
    const { a, b } = await twoClients();
    receiver.answer['/a'] = ['down', 'hang', 204];
    receiver.answer['/b'] = 503;
    const first = await ssoLogin(server, a.rp);
    await ssoLogin(server, b.rp, { browser: first.browser, staff: first.staff });
    // Started first: a job takes its retry settings from its queue when it is enqueued.
    await startWorker({ retryLimit: 2 });
    await first.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' });
    // /a answers its third attempt; /b never does.
    await until(async () => ((await jobs('completed')).length === 1 && (await jobs('failed')).length === 1 ? true : undefined), 20_000);
    const [done] = await jobs('completed');
    const [failed] = await jobs('failed');
    expect(done!.data.clientId).toBe(a.clientId);
    expect(done!.retry_count).toBe(2);
    expect(receiver.posts.filter((p) => p.path === '/a')).toHaveLength(3);
    expect(failed!.data.clientId).toBe(b.clientId);
    expect(failed!.retry_count).toBe(2);
    expect(receiver.posts.filter((p) => p.path === '/b')).toHaveLength(3);
  });
});
