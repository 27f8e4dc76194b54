import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testDatabase, resetDatabase } from './support/db.js';
import { buildApp, Client } from './support/app.js';
import { startTestSimulator, vneidLogin } from './support/vneid.js';
import { TEST_PASSWORD } from './support/app.js';
import { seedDemo } from '../src/demo/seed.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { accounts, auditLog, sessions } from '../src/db/schema/index.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const population = loadPopulation();
const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;

beforeAll(async () => {
  database = await testDatabase();
  sim = await startTestSimulator();
  app = buildApp(database, sim.env);
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  await resetDatabase(database);
  await seedDemo(database.db, TEST_PASSWORD);
  Object.assign(sim.state.faults, { outage: false, latencyMs: 0, dropSms: false });
});

const verifiedOfficial = () => demoOfficials().find((o) => o.verified && personOf(o.username).loa === 2 && o.unitKey !== 'dx-vp')!;

describe('VNeID login for officials', () => {
  it('logs a verified official in through the simulator, with OTP by SMS', async () => {
    const o = verifiedOfficial();
    const c = new Client(app);
    const r = await vneidLogin(c, sim, personOf(o.username));
    expect(r.stoppedAt).toBeNull();
    expect(r.app!.status).toBe(303);
    expect(r.app!.location).toBe('/tiepnhan');
    const home = await c.get('/tiepnhan');
    expect(home.status).toBe(200);
    expect(home.text).toContain(o.givenName);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(entry!.data).toMatchObject({ method: 'vneid', loa: 2, linked: true });
  });
});
