import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { CsrfField, Flash, Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { formatDateTime } from '../shared/dates.js';
import { JOB_STATES, JOB_STATE_NAMES, getJob, listJobs, retryJob, type JobRow } from '../jobs/admin.js';
import { sendHtml } from '../web/send-html.js';

/** Quản trị → Hàng đợi (province administrators; anyone else gets 404 from the use cases). */
export const adminJobRoutes = new Hono<AppEnv>();
adminJobRoutes.use('*', requireLogin);

const BASE = '/tiepnhan/quan-tri/hang-doi';
const ListQuery = z.object({
  'trang-thai': param.oneOf(['queued', 'running', 'failed', 'dead'], 'Trạng thái không hợp lệ.'),
  'da-thu-lai': param.oneOf(['1'], 'Tham số không hợp lệ.'),
});

const retryable = (j: JobRow) => j.state === 'failed' || j.state === 'dead';

adminJobRoutes.get('/', async (c) => {
  const { db } = c.get('deps');
  const q = queryOf(c, ListQuery);
  const state = q['trang-thai'] ?? 'dead';
  const { counts, jobs } = await listJobs(db, actorOf(c), state);
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Hàng đợi" section="admin" {...props}>
      <section>
        <h1>HÀNG ĐỢI CÔNG VIỆC</h1>
        {q['da-thu-lai'] ? <Flash kind="ok">Đã đưa công việc vào hàng đợi để thử lại.</Flash> : null}
        <p id="job-counts">
          {JOB_STATE_NAMES.map((s, i) => (
            <>
              {i > 0 ? ' · ' : ''}
              <a href={`${BASE}?trang-thai=${s}`} aria-current={s === state ? 'page' : undefined}>
                {JOB_STATES[s].label}: <strong>{counts[s]}</strong>
              </a>
            </>
          ))}
        </p>
        <table class="list" id="jobs">
          <thead>
            <tr>
              <th scope="col">Công việc</th>
              <th scope="col">Tạo lúc</th>
              <th scope="col">Lần chạy</th>
              <th scope="col">Chạy tiếp lúc</th>
              <th scope="col">Lỗi gần nhất</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr>
                <td>
                  <a href={`${BASE}/${j.id}`}>{j.kindLabel}</a>
                </td>
                <td>{formatDateTime(j.createdAt)}</td>
                <td>
                  {j.attempts}/{j.maxAttempts}
                </td>
                <td>{j.state === 'queued' || j.state === 'failed' ? formatDateTime(j.startAfter) : ''}</td>
                <td>{j.error ?? ''}</td>
                <td>
                  {retryable(j) ? (
                    <form method="post" action={`${BASE}/${j.id}/thu-lai`}>
                      <CsrfField token={props.csrfToken} />
                      <button type="submit">Thử lại</button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
            {jobs.length === 0 ? (
              <tr>
                <td class="muted">Không có công việc nào.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    </Layout>,
  );
});

adminJobRoutes.get('/:id', async (c) => {
  const { db } = c.get('deps');
  const job = await getJob(db, actorOf(c), c.req.param('id'));
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Công việc trong hàng đợi" section="admin" {...props}>
      <section>
        <h1>{job.kindLabel}</h1>
        <dl id="job">
          <dt>Mã công việc</dt>
          <dd>{job.id}</dd>
          <dt>Loại</dt>
          <dd>{job.kind}</dd>
          <dt>Trạng thái</dt>
          <dd>{JOB_STATES[job.state].label}</dd>
          <dt>Lần chạy</dt>
          <dd>
            {job.attempts}/{job.maxAttempts}
          </dd>
          <dt>Tạo lúc</dt>
          <dd>{formatDateTime(job.createdAt)}</dd>
          <dt>Dữ liệu</dt>
          <dd>
            <code class="json">{JSON.stringify(job.payload)}</code>
          </dd>
          <dt>Lỗi gần nhất</dt>
          <dd>{job.output ? <pre class="json">{JSON.stringify(job.output, null, 2)}</pre> : 'Không có'}</dd>
        </dl>
        {retryable(job) ? (
          <form method="post" action={`${BASE}/${job.id}/thu-lai`}>
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="primary">
              Thử lại
            </button>
          </form>
        ) : null}
        <p>
          <a href={`${BASE}?trang-thai=${job.state}`}>← Hàng đợi</a>
        </p>
      </section>
    </Layout>,
  );
});

adminJobRoutes.post('/:id/thu-lai', async (c) => {
  const { db } = c.get('deps');
  await retryJob(db, actorOf(c), c.req.param('id'));
  return c.redirect(`${BASE}?trang-thai=failed&da-thu-lai=1`, 303);
});
