/**
 * An official whose session ended behind their back — an administrator suspended the account (which ends its
 * sessions), it timed out, they logged out elsewhere — is sent to Đăng nhập, which now says the session ended; a form
 * they sent then (its token bound to the ended session) was not kept, and the login comes back to the page the form
 * was on, not a 403 about the form. A browser that never had a session sees the plain login page.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { accounts, sessions } from '../src/db/schema/index.js';

const t = useDemoApp();
const BOSUNG = '/tiepnhan/ho-so?tab=bo-sung';

/** A logged-in clerk with a form's token, whose session then ends as a suspension ends it (its rows deleted). */
async function endedSession() {
  const clerk = new Client(t.app);
  expect((await clerk.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
  const csrf = await clerk.csrf(BOSUNG);
  const [acc] = await t.database.db.select().from(accounts).where(eq(accounts.username, sctClerkUsername()));
  await t.database.db.delete(sessions).where(eq(sessions.accountId, acc!.id));
  return { clerk, csrf };
}

describe('a session that ended', () => {
  it('a form sent then: Đăng nhập says it was not kept, and comes back to the page the form was on', async () => {
    const { clerk, csrf } = await endedSession();
    const sent = await clerk.post('/tiepnhan/doi-mat-khau', { current: 'x' }, { csrf, headers: { referer: `${clerk.origin}${BOSUNG}` } });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/tiepnhan/dang-nhap?tiep=${encodeURIComponent(BOSUNG)}&het-phien=gui`);
    expect((await clerk.get(sent.location!)).text).toContain('Phiên đăng nhập đã kết thúc nên nội dung vừa gửi chưa được lưu.');
    // Another site's page is no way back.
    const other = await endedSession();
    const foreign = await other.clerk.post(
      '/tiepnhan/doi-mat-khau',
      { current: 'x' },
      { csrf: other.csrf, headers: { referer: 'https://evil.example/tiepnhan/ho-so' } },
    );
    expect(foreign.location).toBe(`/tiepnhan/dang-nhap?tiep=${encodeURIComponent('/tiepnhan')}&het-phien=gui`);
  });

  it('a page opened then: Đăng nhập says the session ended; no session ever, no notice', async () => {
    const { clerk } = await endedSession();
    const page = await clerk.get(BOSUNG);
    expect(page.location).toBe(`/tiepnhan/dang-nhap?tiep=${encodeURIComponent(BOSUNG)}&het-phien=1`);
    expect((await clerk.get(page.location!)).text).toContain('Phiên đăng nhập đã kết thúc (hết thời gian');
    const stranger = new Client(t.app);
    expect((await stranger.get('/tiepnhan/ho-so')).location).toBe(`/tiepnhan/dang-nhap?tiep=${encodeURIComponent('/tiepnhan/ho-so')}`);
    // A forged post without any session is still refused as such.
    expect((await stranger.post('/tiepnhan/doi-mat-khau', { current: 'x' }, { csrf: 'x' })).status).toBe(403);
  });
});
