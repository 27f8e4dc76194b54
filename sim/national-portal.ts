/**
 * Stand-in of the national portal's dossier synchronisation API (Cổng DVC quốc gia), on the simulator's origin under
 * /national-portal/api/v1, never in production (src/config.ts refuses it). Bearer token; one province.
 * - POST /tinh/:province/trang-thai — a status record, with an Idempotency-Key header `<id>:<seq>`, the id being the
 *   dossier's as this side knows it: MaHoSoQG for a dossier submitted here (the record must name it; it is kept
 *   against that national dossier), the province's MaHoSo otherwise. The same key again answers the record it
 *   already holds (200, duplicate: true); the same key with another body is refused (409). Refused too: an unknown
 *   MaHoSoQG (404), a MaHoSoQG already bound to another MaHoSo, or a MaHoSo bound to a national dossier sent without
 *   its MaHoSoQG (409), a key not of the record's id (400).
 * - GET /tinh/:province/trang-thai?tu=<ISO>&sau=<cursor> — the latest record of each dossier (by that same id)
 *   received since `tu`.
 * - GET /tinh/:province/ho-so-nop?sau=<cursor> — dossiers submitted on the national portal, oldest first, by cursor.
 * Testers: GET /dev/national-portal (what it received, and each submitted dossier with the MaHoSo it is bound to,
 * its statuses and its latest TrangThaiHoSo; ?maHoSo= or ?maHoSoQG= filters the records), POST
 * /dev/national-portal/ho-so-nop (add a submitted dossier), DELETE /dev/national-portal/trang-thai?maHoSo=… (our
 * code or a national id: forget that dossier's latest record: the
 * national side out of step, for reconciliation). Fault switches (POST /dev/faults): nationalDown, nationalLatencyMs,
 * nationalLoseReply (the record is kept but the answer is a 504: a crash between its send and our marking).
 */
import crypto from 'node:crypto';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { SimState } from './state.js';

export type NationalPortalStandIn = { token: string; province: string };

const BASE = '/national-portal/api/v1';
const PAGE = 100;
const SUBMITTED_PAGE = 50;

const StatusRecord = z
  .object({
    MaHoSo: z.string().min(1).max(100),
    MaHoSoQG: z.string().min(1).max(100).optional(),
    TrangThaiHoSo: z.number().int().min(1).max(10),
    KenhThucHien: z.number().int().min(1).max(3),
    NgayHenTra: z.string().max(20).nullable().optional(),
    NgayKetThucXuLy: z.string().max(20).nullable().optional(),
  })
  .passthrough();
type StatusRecord = z.infer<typeof StatusRecord>;

const NewSubmitted = z
  .object({
    MaHoSoQG: z.string().min(1).max(100).optional(),
    MaTTHC: z.string().min(1).max(50),
    MaDonVi: z.string().max(50).nullable().optional(),
    ChuHoSo: z.object({
      HoVaTen: z.string().min(1).max(300),
      SoDinhDanh: z.string().max(20).nullable().optional(),
      SoDienThoai: z.string().max(30).nullable().optional(),
      Email: z.string().max(300).nullable().optional(),
      DiaChi: z.string().max(500).nullable().optional(),
    }),
    GhiChu: z.string().max(1000).nullable().optional(),
  })
  .strict();

type Held = { id: string; key: string; body: string; receivedAt: number; record: StatusRecord };
/** The id this side knows a dossier by: its own for a dossier submitted here, the province's code otherwise. */
const dossierKey = (r: StatusRecord) => r.MaHoSoQG ?? r.MaHoSo;
type Submitted = z.infer<typeof NewSubmitted> & { MaHoSoQG: string; NgayNop: string; seq: number };

/** The national portal's time format: yyyyMMddHHmmss, Vietnam time. */
const portalTime = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** Two dossiers submitted nationally for demo procedures, and one for a procedure the province does not have. */
function demoSubmitted(province: string): Array<z.infer<typeof NewSubmitted>> {
  return [
    {
      MaHoSoQG: `G22.${province}-0001`,
      MaTTHC: '2.000633',
      MaDonVi: '000.00.13.H10',
      ChuHoSo: {
        HoVaTen: 'Trần Thị Mai',
        SoDinhDanh: '070190001234',
        SoDienThoai: '0912345678',
        Email: 'mai.tran@example.vn',
        DiaChi: 'Đồng Xoài, Bình Phước',
      },
    },
    {
      MaHoSoQG: `G22.${province}-0002`,
      MaTTHC: '2.000190',
      MaDonVi: '000.00.13.H10',
      ChuHoSo: { HoVaTen: 'Công ty TNHH Thương mại Bình Minh', SoDienThoai: '0271388899', DiaChi: 'Chơn Thành, Bình Phước' },
    },
    {
      MaHoSoQG: `G22.${province}-0003`,
      MaTTHC: '9.999999',
      ChuHoSo: { HoVaTen: 'Lê Văn Hùng', SoDinhDanh: '070085004321' },
      GhiChu: 'Thủ tục không thuộc danh mục của tỉnh (minh họa hồ sơ bị bỏ qua).',
    },
  ];
}

export function nationalPortalRoutes(state: SimState, standIn: NationalPortalStandIn | undefined) {
  const app = new Hono();
  const held: Held[] = [];
  const byKey = new Map<string, Held>();
  const submitted: Submitted[] = [];
  /** A national dossier ↔ the province's code for it, bound by the first status record naming both. */
  const boundCode = new Map<string, string>();
  const boundNational = new Map<string, string>();
  /** Province codes already recorded as the province's own dossiers (no MaHoSoQG). */
  const ownCodes = new Set<string>();
  const addSubmitted = (d: z.infer<typeof NewSubmitted>): Submitted => {
    const seq = submitted.length + 1;
    const item: Submitted = {
      ...d,
      MaHoSoQG: d.MaHoSoQG ?? `G22.${standIn?.province ?? 'X'}-${crypto.randomUUID().slice(0, 8)}`,
      NgayNop: portalTime(Date.now()),
      seq,
    };
    submitted.push(item);
    return item;
  };
  if (standIn) for (const d of demoSubmitted(standIn.province)) addSubmitted(d);

  /**
   * A record of a dossier submitted here must name it (MaHoSoQG) — it is that national dossier's status — and the
   * two codes stay bound to each other: another province dossier cannot write to it, nor this one drop its id.
   */
  const bindingRefusal = (r: StatusRecord): { status: 404 | 409; body: { error: string } } | null => {
    if (r.MaHoSoQG) {
      if (!submitted.some((d) => d.MaHoSoQG === r.MaHoSoQG)) return { status: 404, body: { error: 'unknown_national_dossier' } };
      const code = boundCode.get(r.MaHoSoQG);
      if ((code !== undefined && code !== r.MaHoSo) || (boundNational.get(r.MaHoSo) ?? r.MaHoSoQG) !== r.MaHoSoQG)
        return { status: 409, body: { error: 'national_id_mismatch' } };
      // Its earlier records went under the province's code alone: a second dossier here, not this one's status.
      if (ownCodes.has(r.MaHoSo)) return { status: 409, body: { error: 'national_id_missing_before' } };
      return null;
    }
    return boundNational.has(r.MaHoSo) ? { status: 409, body: { error: 'national_id_required' } } : null;
  };

  /** Token and province checked, faults applied; a refusal as an answer, or null to go on. */
  const guard = async (c: Context) => {
    if (!standIn) return c.json({ error: 'not_configured' }, 404);
    const auth = c.req.header('authorization') ?? '';
    const expected = `Bearer ${standIn.token}`;
    if (auth.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(auth), Buffer.from(expected)))
      return c.json({ error: 'unauthorized' }, 401);
    if (c.req.param('province') !== standIn.province) return c.json({ error: 'unknown_province' }, 404);
    if (state.faults.nationalLatencyMs > 0) await new Promise((r) => setTimeout(r, state.faults.nationalLatencyMs));
    if (state.faults.nationalDown) return c.json({ error: 'temporarily_unavailable', message: 'Hệ thống đang bảo trì' }, 503);
    return null;
  };

  app.post(`${BASE}/tinh/:province/trang-thai`, async (c) => {
    const refused = await guard(c);
    if (refused) return refused;
    const key = c.req.header('idempotency-key') ?? '';
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) return c.json({ error: 'idempotency_key_required' }, 400);
    const text = await c.req.text();
    if (text.length > 65_536) return c.json({ error: 'too_large' }, 413);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return c.json({ error: 'invalid_json' }, 400);
    }
    const parsed = StatusRecord.safeParse(json);
    if (!parsed.success) return c.json({ error: 'invalid_request', issues: parsed.error.issues.map((i) => i.path.join('.')) }, 400);
    const record = parsed.data;
    if (!key.startsWith(`${dossierKey(record)}:`)) return c.json({ error: 'idempotency_key_not_of_dossier' }, 400);
    const body = JSON.stringify(record);
    const before = byKey.get(key);
    if (before) {
      if (before.body !== body) return c.json({ error: 'idempotency_key_reused' }, 409);
      return c.json({ id: before.id, duplicate: true }, 200);
    }
    const unbound = bindingRefusal(record);
    if (unbound) return c.json(unbound.body, unbound.status);
    if (record.MaHoSoQG) {
      boundCode.set(record.MaHoSoQG, record.MaHoSo);
      boundNational.set(record.MaHoSo, record.MaHoSoQG);
    } else ownCodes.add(record.MaHoSo);
    const h: Held = { id: crypto.randomUUID(), key, body, receivedAt: Date.now(), record };
    held.push(h);
    byKey.set(key, h);
    if (state.faults.nationalLoseReply) return c.json({ error: 'gateway_timeout' }, 504);
    return c.json({ id: h.id, duplicate: false }, 201);
  });

  app.get(`${BASE}/tinh/:province/trang-thai`, async (c) => {
    const refused = await guard(c);
    if (refused) return refused;
    const since = Date.parse(c.req.query('tu') ?? '');
    if (Number.isNaN(since)) return c.json({ error: 'tu_required' }, 400);
    const after = c.req.query('sau') ?? '';
    const latest = new Map<string, Held>();
    for (const h of held) if (h.receivedAt >= since) latest.set(dossierKey(h.record), h);
    for (const h of held) if (latest.has(dossierKey(h.record))) latest.set(dossierKey(h.record), h);
    const codes = [...latest.keys()].filter((k) => k > after).sort();
    const page = codes.slice(0, PAGE);
    return c.json({
      items: page.map((k) => latest.get(k)!.record),
      nextCursor: codes.length > PAGE ? page.at(-1)! : null,
    });
  });

  app.get(`${BASE}/tinh/:province/ho-so-nop`, async (c) => {
    const refused = await guard(c);
    if (refused) return refused;
    const after = Number(c.req.query('sau') ?? '0');
    if (!Number.isInteger(after) || after < 0) return c.json({ error: 'invalid_cursor' }, 400);
    const page = submitted.filter((d) => d.seq > after).slice(0, SUBMITTED_PAGE);
    return c.json({
      items: page.map(({ seq: _seq, ...d }) => d),
      nextCursor: page.length ? String(page.at(-1)!.seq) : after ? String(after) : null,
    });
  });

  app.get('/dev/national-portal', (c) => {
    const maHoSo = c.req.query('maHoSo');
    const maHoSoQG = c.req.query('maHoSoQG');
    const records = held.filter((h) => (!maHoSo || h.record.MaHoSo === maHoSo) && (!maHoSoQG || h.record.MaHoSoQG === maHoSoQG));
    return c.json({
      records: records.map((h) => ({ id: h.id, key: h.key, receivedAt: new Date(h.receivedAt).toISOString(), record: h.record })),
      // Each national dossier as this side holds it: the province's code for it and its statuses, in order.
      submitted: submitted.map((d) => {
        const statuses = held.filter((h) => h.record.MaHoSoQG === d.MaHoSoQG).map((h) => h.record.TrangThaiHoSo);
        return { ...d, MaHoSo: boundCode.get(d.MaHoSoQG) ?? null, statuses, TrangThaiHoSo: statuses.at(-1) ?? null };
      }),
    });
  });
  app.post('/dev/national-portal/ho-so-nop', async (c) => {
    const parsed = NewSubmitted.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: 'invalid_request', issues: parsed.error.issues.map((i) => i.path.join('.')) }, 400);
    if (parsed.data.MaHoSoQG && submitted.some((d) => d.MaHoSoQG === parsed.data.MaHoSoQG)) return c.json({ error: 'exists' }, 409);
    return c.json(addSubmitted(parsed.data), 201);
  });
  app.delete('/dev/national-portal/trang-thai', (c) => {
    const maHoSo = c.req.query('maHoSo') ?? '';
    let i = held.length - 1;
    while (i >= 0 && held[i]!.record.MaHoSo !== maHoSo && held[i]!.record.MaHoSoQG !== maHoSo) i--;
    if (i < 0) return c.json({ error: 'not_found' }, 404);
    const [gone] = held.splice(i, 1);
    byKey.delete(gone!.key);
    if (!gone!.record.MaHoSoQG && !held.some((h) => h.record.MaHoSo === gone!.record.MaHoSo)) ownCodes.delete(gone!.record.MaHoSo);
    return c.json({ forgotten: gone!.key });
  });
  return app;
}
