/**
 * Testers' endpoints (GET /dev/sms — OTPs and the SMS/ZNS gateways' messages —, GET /dev/people, POST /dev/faults; GET
 * /dev/payments is in payment.tsx, GET /dev/reports in server.ts) and the population-registry
 * stand-in (POST /registry/v1/verify), which answers match or mismatch per field.
 */
import crypto from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { SimState } from './state.js';

/**
 * The registry holds the name as printed on the card (in capitals) and compares it letter for letter, after
 * NFC, spacing and case: "Nguyen Minh Hai" is not "Nguyễn Minh Hải" (diacritics and letters such as đ carry meaning).
 */
const canonicalName = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleUpperCase('vi');

const Faults = z
  .object({
    outage: z.boolean().optional(),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    dropSms: z.boolean().optional(),
    paymentNotifyDelayMs: z.number().int().min(0).max(3_600_000).optional(),
    dropPaymentNotify: z.boolean().optional(),
    smsDown: z.boolean().optional(),
    smsSlowMs: z.number().int().min(0).max(120_000).optional(),
    smsReject: z.boolean().optional(),
    smsReport: z.enum(['delivered', 'failed', 'expired', 'none']).optional(),
    znsDown: z.boolean().optional(),
    znsSlowMs: z.number().int().min(0).max(120_000).optional(),
    znsReject: z.boolean().optional(),
    znsReport: z.enum(['delivered', 'failed', 'expired', 'none']).optional(),
    znsExpireTokens: z.boolean().optional(),
    znsOauthDown: z.boolean().optional(),
    znsOauthRefuse: z.boolean().optional(),
    nationalDown: z.boolean().optional(),
    nationalLatencyMs: z.number().int().min(0).max(120_000).optional(),
    nationalLoseReply: z.boolean().optional(),
    mailDown: z.boolean().optional(),
    mailReject: z.boolean().optional(),
  })
  .strict();

const VerifyRequest = z.object({
  soDinhDanh: z.string().regex(/^\d{12}$/),
  hoVaTen: z.string().min(1),
  ngaySinh: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  gioiTinh: z.enum(['male', 'female']),
  ngayCap: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .nullable(),
});

export function devRoutes(state: SimState, registryToken: string) {
  const app = new Hono();

  app.get('/dev/sms', (c) => {
    // 0xxxxxxxxx or 84xxxxxxxxx: the outbox keeps the national form.
    const digits = (c.req.query('phone') ?? '').replace(/\D/g, '');
    const phone = /^84\d{9}$/.test(digits) ? `0${digits.slice(2)}` : digits;
    if (!phone) return c.json({ error: 'phone query parameter is required' }, 400);
    return c.json(state.smsFor(phone));
  });

  app.get('/dev/people', (c) => c.json(state.population));

  app.get('/dev/faults', (c) => c.json(state.faults));
  app.post('/dev/faults', async (c) => {
    const parsed = Faults.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success)
      return c.json(
        {
          error:
            'expected JSON {"outage":bool,"latencyMs":n,"dropSms":bool,"paymentNotifyDelayMs":n,"dropPaymentNotify":bool,' +
            '"smsDown":bool,"smsSlowMs":n,"smsReject":bool,"smsReport":"delivered|failed|expired|none","znsDown":bool,"znsSlowMs":n,' +
            '"znsReject":bool,"znsReport":"delivered|failed|expired|none","znsExpireTokens":bool,"znsOauthDown":bool,"znsOauthRefuse":bool,' +
            '"nationalDown":bool,"nationalLatencyMs":n,"nationalLoseReply":bool,' +
            '"mailDown":bool,"mailReject":bool}',
        },
        400,
      );
    Object.assign(state.faults, Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)));
    return c.json(state.faults);
  });

  app.post('/registry/v1/verify', async (c) => {
    const auth = c.req.header('authorization') ?? '';
    const expected = `Bearer ${registryToken}`;
    if (auth.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(auth), Buffer.from(expected))) {
      return c.json({ error: 'unauthorized' }, 401);
    }
    const parsed = VerifyRequest.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: 'invalid_request', issues: parsed.error.issues.map((i) => i.path.join('.')) }, 400);
    const q = parsed.data;
    const p = state.person(q.soDinhDanh);
    if (!p) return c.json({ found: false, fields: { soDinhDanh: 'mismatch' } });
    const m = (ok: boolean) => (ok ? 'match' : 'mismatch');
    return c.json({
      found: true,
      fields: {
        soDinhDanh: 'match',
        hoVaTen: m(canonicalName(p.hoVaTen) === canonicalName(q.hoVaTen)),
        ngaySinh: m(p.ngaySinh === q.ngaySinh),
        gioiTinh: m(p.gioiTinh === q.gioiTinh),
        ...(q.ngayCap ? { ngayCap: m(p.ngayCap === q.ngayCap) } : {}),
      },
    });
  });
  return app;
}
