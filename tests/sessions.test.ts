import { describe, expect, it } from 'vitest';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { useDemoApp } from './support/fixtures.js';
import { sessions } from '../src/db/schema/index.js';

const t = useDemoApp();

describe('sessions in the t.database', () => {
  it('stores only a hash of the cookie token', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const [row] = await t.database.db.select().from(sessions);
    expect(row!.idHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.idHash).not.toBe(c.cookies.get('motcua_sid'));
  });

  it('ends a session idle longer than the idle time-out', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    expect((await c.get('/tiepnhan')).status).toBe(200);
    await t.database.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - 31 * 60_000) });
    expect((await c.get('/tiepnhan')).status).toBe(303);
  });

  it('ends a session past its absolute lifetime even when active', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    await t.database.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) });
    expect((await c.get('/tiepnhan')).status).toBe(303);
  });

  it('a session works from another t.app instance sharing the t.database', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const other = new Client(buildApp(t.database));
    other.cookies = new Map(c.cookies);
    expect((await other.get('/tiepnhan')).status).toBe(200);
  });
});
