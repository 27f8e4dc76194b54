import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { queryOf } from '../web/params.js';
import { AppError, type FieldErrors } from '../shared/errors.js';
import { PortalPage } from '../portal/layout.js';
import { templateUrl } from '../procedures/document-templates.js';
import { limitKindOf, shareUnit, timeLimitText } from '../procedures/time-limit.js';
import { ONLINE_LEVEL_LABELS, ONLINE_LEVELS, CatalogQuery, PAGE_SIZE, encodeCursor } from './catalog-query.js';
import { loadCatalogProcedure } from './list-catalog.js';
import type { CatalogPage } from './catalog-index.js';
import type { FilterOptions } from './filter-options.js';
import { sendHtml } from '../web/send-html.js';

/** Danh sách thủ tục hành chính: the public catalog on the portal, without a login. */
export const catalogRoutes = new Hono<AppEnv>();

const number = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

/** "1.200.000 đồng", or "Không mất phí". */
function feeText(fee: number): string {
  return fee > 0 ? `${number.format(fee)} đồng` : 'Không mất phí';
}

const fileSize = (bytes: number) =>
  bytes < 1024 * 1024 ? `${number.format(Math.max(1, Math.round(bytes / 1024)))} KB` : `${number.format(bytes / 1024 / 1024)} MB`;

/** How many near names a search that found nothing offers: a short list to read on a phone, not a second catalog. */
const NEAR_MATCHES = 5;

const FIELD_LABELS: Record<string, string> = {
  q: 'Tìm thủ tục',
  sectorId: 'Lĩnh vực',
  unitId: 'Cơ quan thực hiện',
  onlineLevel: 'Mức độ',
  after: 'Trang',
  limit: 'Số thủ tục mỗi trang',
};

type Typed = Record<string, string>;

function pageHref(typed: Typed, after: string | null): string {
  const params = new URLSearchParams();
  for (const k of ['q', 'sectorId', 'unitId', 'onlineLevel'] as const) if (typed[k]) params.set(k, typed[k]);
  if (after) params.set('after', after);
  const s = params.toString();
  return s ? `/thu-tuc?${s}` : '/thu-tuc';
}

function SearchForm({ typed, filters, errs }: { typed: Typed; filters: FilterOptions; errs: FieldErrors }) {
  const err = (name: string) =>
    errs[name] ? (
      <p class="field-error" id={`${name}-error`}>
        {errs[name]}
      </p>
    ) : null;
  const attrs = (name: string) => (errs[name] ? { 'aria-invalid': 'true', 'aria-describedby': `${name}-error` } : {});
  return (
    <search>
      <form method="get" action="/thu-tuc" class="catalog-search">
        <label for="q">Tìm thủ tục</label>
        <div class="search">
          <input id="q" name="q" type="search" maxlength={100} value={typed.q ?? ''} placeholder="Ví dụ: cap giay phep" {...attrs('q')} />
          <button type="submit" class="button primary">
            Tìm kiếm
          </button>
        </div>
        {err('q')}
        <div class="filters">
          <div>
            <label for="sectorId">Lĩnh vực</label>
            <select id="sectorId" name="sectorId" {...attrs('sectorId')}>
              <option value="">Tất cả lĩnh vực</option>
              {filters.sectors(typed.sectorId)}
            </select>
            {err('sectorId')}
          </div>
          <div>
            <label for="unitId">Cơ quan thực hiện</label>
            <select id="unitId" name="unitId" {...attrs('unitId')}>
              <option value="">Tất cả cơ quan</option>
              {filters.units(typed.unitId)}
            </select>
            {err('unitId')}
          </div>
          <div>
            <label for="onlineLevel">Mức độ</label>
            <select id="onlineLevel" name="onlineLevel" {...attrs('onlineLevel')}>
              <option value="">Tất cả mức độ</option>
              {ONLINE_LEVELS.map((l) => (
                <option value={l} selected={typed.onlineLevel === l}>
                  {ONLINE_LEVEL_LABELS[l]}
                </option>
              ))}
            </select>
            {err('onlineLevel')}
          </div>
          <button type="submit" class="button">
            Lọc
          </button>
        </div>
      </form>
    </search>
  );
}

function CatalogList({ items }: { items: CatalogPage['items'] }) {
  return (
    <ol class="catalog-list">
      {items.map((v) => (
        <li>
          <h3>
            <a href={`/thu-tuc/${v.procedureId}`}>{v.name}</a>
          </h3>
          <p class="muted">
            Mã {v.code} · {v.sector} · {timeLimitText(v)} · {feeText(v.fee)} ·{' '}
            <span class="badge">{ONLINE_LEVEL_LABELS[v.onlineLevel]}</span>
          </p>
        </li>
      ))}
    </ol>
  );
}

function Results(p: { page: CatalogPage; typed: Typed; filtered: boolean; first: boolean; near: CatalogPage['items'] }) {
  const { page, typed, filtered, first, near } = p;
  return (
    <section aria-labelledby="ket-qua">
      <h2 id="ket-qua">{filtered ? 'Kết quả tìm kiếm' : 'Tất cả thủ tục'}</h2>
      {page.items.length === 0 && near.length ? (
        // No name has every word typed: the names with most of them, said as such (not as the search's result).
        <>
          <p>Không có thủ tục nào có đủ các từ đã gõ. Có thể bạn cần tìm một trong các thủ tục sau:</p>
          <CatalogList items={near} />
        </>
      ) : page.items.length === 0 ? (
        <p>{first ? 'Không tìm thấy thủ tục phù hợp. Hãy thử từ khóa khác hoặc bỏ bớt bộ lọc.' : 'Không còn thủ tục nào.'}</p>
      ) : (
        <CatalogList items={page.items} />
      )}
      {!first || page.next ? (
        <nav class="toolbar" aria-label="Phân trang">
          {first ? null : (
            <a class="button" href={pageHref(typed, null)}>
              Về trang đầu
            </a>
          )}
          {page.next ? (
            <a class="button" rel="next" href={pageHref(typed, encodeCursor(page.next))}>
              Trang sau
            </a>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

/** Danh sách thủ tục hành chính: search by name (diacritics-insensitive), filters, keyset pages of 20. */
catalogRoutes.get('/thu-tuc', async (c) => {
  const { catalog } = c.get('deps');
  const typed: Typed = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => typeof v === 'string'));
  let errs: FieldErrors = {};
  let page: CatalogPage | null = null;
  let query: CatalogQuery | null = null;
  try {
    query = queryOf(c, CatalogQuery);
  } catch (err) {
    // A bad parameter: the form again, what was typed kept, the message next to its field.
    if (!(err instanceof AppError) || err.code !== 'invalid_query') throw err;
    errs = Object.fromEntries(Object.entries(err.fields ?? {}).map(([k, m]) => [k in FIELD_LABELS ? k : 'q', m]));
  }
  // From memory (catalog-index.ts): no database round trip for the list or the filters' choices.
  if (query) page = await catalog.page({ ...query, limit: PAGE_SIZE });
  const near = query && !query.after && page?.items.length === 0 ? await catalog.nearMatches(query, NEAR_MATCHES) : [];
  const filters = await catalog.filters();
  const filtered = !!(query?.q || query?.sectorId || query?.unitId || query?.onlineLevel);
  // Each message names its field ("Lĩnh vực không hợp lệ."): once above the form, and next to its field.
  const summary = [...new Set(Object.values(errs))];
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Danh sách thủ tục hành chính',
      <>
        <h1>Danh sách thủ tục hành chính</h1>
        {summary.length ? (
          <div class="flash flash-error" role="alert">
            {summary.map((s) => (
              <p>{s}</p>
            ))}
          </div>
        ) : null}
        <SearchForm typed={typed} filters={filters} errs={errs} />
        {page ? <Results page={page} typed={typed} filtered={filtered} first={!query?.after} near={near} /> : null}
      </>,
    ),
    summary.length ? 400 : 200,
  );
});

/** A procedure's page: what to prepare, how long it takes, what it costs; Nộp hồ sơ trực tuyến. */
catalogRoutes.get('/thu-tuc/:id', async (c) => {
  const p = await loadCatalogProcedure(c.get('deps').db, c.req.param('id'));
  const v = p.version;
  const templates = new Map(p.templates.map((t) => [t.id, t]));
  const facts: Array<[string, string]> = [
    ['Mã thủ tục', p.code],
    ['Lĩnh vực', p.sector],
    ['Cơ quan thực hiện', p.units.join('; ') || 'Chưa công bố'],
    ['Thời hạn giải quyết', timeLimitText(v) + (v.after1500NextDay ? ' (hồ sơ nhận sau 15 giờ được tính từ ngày làm việc tiếp theo)' : '')],
    ['Phí, lệ phí', feeText(v.fee) + (v.feeNote ? ` — ${v.feeNote}` : '')],
    ['Mức độ dịch vụ công trực tuyến', ONLINE_LEVEL_LABELS[v.onlineLevel]],
  ];
  return sendHtml(
    c,
    await PortalPage(
      c,
      v.name,
      <>
        <p>
          <a href="/thu-tuc">← Danh sách thủ tục hành chính</a>
        </p>
        <h1>{v.name}</h1>
        <dl class="facts">
          {facts.map(([k, x]) => (
            <>
              <dt>{k}</dt>
              <dd>{x}</dd>
            </>
          ))}
        </dl>
        <p>
          <a class="button primary" href={`/ca-nhan/nop-ho-so?thutuc=${v.procedureId}`}>
            Nộp hồ sơ trực tuyến
          </a>
        </p>
        <h2>Thành phần hồ sơ</h2>
        <ol class="catalog-docs">
          {v.documents.map((d) => {
            const t = d.template ? templates.get(d.template) : undefined;
            return (
              <li>
                {d.name}{' '}
                <span class="muted">
                  ({d.required ? 'bắt buộc' : 'nếu có'}
                  {d.copies ? `; số lượng: ${d.copies} bản` : ''})
                </span>
                {d.template ? (
                  <>
                    {' '}
                    <a href={templateUrl(d.template)} download>
                      Tải mẫu{t ? `: ${t.fileName} (${fileSize(t.size)})` : ''}
                    </a>
                  </>
                ) : null}
              </li>
            );
          })}
        </ol>
        {v.steps.length ? (
          <>
            <h2>Trình tự thực hiện</h2>
            <ol>
              {v.steps.map((s) => (
                <li>
                  {s.name}{' '}
                  <span class="muted">
                    ({number.format(s.share)} {shareUnit(limitKindOf(v))} làm việc)
                  </span>
                </li>
              ))}
            </ol>
          </>
        ) : null}
      </>,
    ),
  );
});
