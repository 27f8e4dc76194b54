/**
 * `npm run db:move` (src/ops/db-move.ts): an embedded database with real data (demo organisation, dossiers, a
 * queued job, a partly sealed audit chain) copied into a fresh PostgreSQL database, then checked from the other
 * side: row counts, sequences, the audit chain, and the app's own queries (log in, the inbox, a new dossier).
 * The copying runs in the PostgreSQL project only (it needs a server); the refusals of a bad source run in both.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { text } from 'node:stream/consumers';
import pg from 'pg';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../src/db/client.js';
import { citizens, personalFiles, procedures } from '../src/db/schema/index.js';
import { listInbox } from '../src/dossiers/inbox.js';
import { moveDatabase } from '../src/ops/db-move.js';
import { countRows, listTables, readSequences } from '../src/ops/inventory.js';
import { clientSql, pgliteSql } from '../src/ops/db-move.js';
import { sealAuditChain } from '../src/audit/seal.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { copyLocalFilesTo, countLocalFiles } from '../src/ops/copy-files.js';
import { blobStore, openBlobStore, putBlob } from '../src/storage/index.js';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { useS3Server } from './support/s3-server.js';
import { actorFor, sctClerkUsername } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { createScratchDatabase, dropScratchDatabase, fillWithRealData } from './support/ops-data.js';

const skipReason = process.env.MOTCUA_TEST_DB !== 'postgres' ? 'the PostgreSQL project only (TEST_DATABASE_URL)' : null;

describe('db:move refuses a source that is not an embedded database; copies local files into a bucket', () => {
  const s3 = useS3Server('motcua-move');
  it('names the missing data directory, before touching any target', async () => {
    const missing = path.join(os.tmpdir(), 'motcua-no-such-data-dir');
    await expect(moveDatabase({ dataDir: missing, targetUrl: 'postgres://nobody@127.0.0.1:1/none', print: () => {} })).rejects.toThrow(
      /No embedded database in .*motcua-no-such-data-dir: .*PG_VERSION not found/,
    );
  });

  it('refuses an embedded database another process has open (the app not stopped), before touching any target', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-move-open-'));
    const running = await openDatabase({ dataDir });
    try {
      await expect(moveDatabase({ dataDir, targetUrl: 'postgres://nobody@127.0.0.1:1/none', print: () => {} })).rejects.toThrow(
        new RegExp(`is open in another process \\(pid ${process.pid}\\): stop the app`),
      );
    } finally {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('warns that a password in --to is visible to every user of the machine (ps); an address without one (PGPASSWORD, ~/.pgpass) is not warned', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (to: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/ops/db-move-cli.ts', '--to', to], {
        cwd: path.resolve(import.meta.dirname, '..'),
        env: { ...process.env, NODE_ENV: 'development', DATA_DIR: path.join(os.tmpdir(), 'motcua-no-such-data-dir'), PGPASSWORD: 'secret' },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const withPassword = run('postgres://motcua:secret@127.0.0.1:1/none');
    expect(withPassword.stderr).toMatch(/Warning: --to holds a password, .*process list.*PGPASSWORD or ~\/\.pgpass/);
    expect(withPassword.stderr).toMatch(/db:move failed: No embedded database/);
    expect(withPassword.status).toBe(1);
    const without = run('postgres://motcua@127.0.0.1:1/none');
    expect(without.stderr).not.toMatch(/Warning/);
    expect(without.stderr).toMatch(/db:move failed: No embedded database/);
  }, 120_000);

  it('an --to address that cannot be read (a port past 65535): exit 2 naming --to, never a stack nor the password', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/ops/db-move-cli.ts', '--to', 'postgres://motcua:hunter2@127.0.0.1:99999/none'],
      {
        cwd: path.resolve(import.meta.dirname, '..'),
        env: { ...process.env, NODE_ENV: 'development', DATA_DIR: path.join(os.tmpdir(), 'motcua-no-such-data-dir') },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stderr).toMatch(
      /^--to must be a postgres:\/\/ or postgresql:\/\/ address .*the one given cannot be read \(check its host, its port/,
    );
    expect(r.stderr).not.toMatch(/TypeError|ERR_INVALID_URL|\n\s+at /);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.status).toBe(2);
  }, 120_000);

  it('--files-to: a local file whose bytes are not its name’s SHA-256 is refused, not uploaded under that name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-move-altered-'));
    try {
      const local = openBlobStore({ kind: 'local', dir });
      const { sha256 } = await putBlob(new TextEncoder().encode('Giấy phép xây dựng số 12/GPXD'), { maxBytes: 1000, store: local });
      const file = path.join(dir, 'sha256', sha256.slice(0, 2), sha256);
      fs.chmodSync(file, 0o600);
      fs.writeFileSync(file, 'Giấy phép xây dựng số 99/GPXD');
      const bucket = openBlobStore(s3.config());
      await expect(copyLocalFilesTo(dir, bucket)).rejects.toThrow(
        new RegExp(`content of the file ${sha256} in .* is not that SHA-256 \\(altered or damaged\\); it was not copied`),
      );
      expect(await bucket.has(sha256)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--files-to: every local file into the bucket once, readable there under the same hash', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-move-files-'));
    try {
      const local = openBlobStore({ kind: 'local', dir });
      const texts = ['Đơn đề nghị cấp giấy phép', 'Bản sao căn cước'];
      const stored: Awaited<ReturnType<typeof putBlob>>[] = [];
      for (const text of texts) stored.push(await putBlob(new TextEncoder().encode(text), { maxBytes: 1000, store: local }));
      // One whose only copy is in the collector's trash (a row may name it again before the next run restores it).
      texts.push('Bản chụp trong thùng rác');
      stored.push(await putBlob(new TextEncoder().encode(texts[2]!), { maxBytes: 1000, store: local }));
      expect(await local.moveToTrash(stored[2]!.sha256, new Date(Date.now() + 60_000), new Date())).toBe(true);
      const bucket = openBlobStore(s3.config());
      expect(await copyLocalFilesTo(dir, bucket)).toMatchObject({ files: 3, alreadyThere: 0 });
      expect(await copyLocalFilesTo(dir, bucket)).toMatchObject({ files: 0, alreadyThere: 3 });
      for (const [i, blob] of stored.entries()) expect(await text(await bucket.open(blob.sha256))).toBe(texts[i]);
      // The local files stay where they were: the app on the same DATA_DIR still reads them.
      expect(await countLocalFiles(dir)).toMatchObject({ files: 2 });
      expect(await local.has(stored[2]!.sha256)).toBe(true);
      // And the spooled copies the bucket was given are gone (the spool is shared by every process on the machine).
      const left = fs.existsSync(bucket.spoolDir) ? fs.readdirSync(bucket.spoolDir) : [];
      expect(left.filter((f) => stored.some((b) => f.includes(b.sha256)))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipReason !== null)(`db:move into PostgreSQL${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let dataDir = '';
  let targetUrl = '';
  let names: string[] = [];
  let sourceCounts = new Map<string, number>();
  let sourceAuditChecked = 0;
  const lost = crypto.createHash('sha256').update(crypto.randomUUID()).digest('hex');
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-move-files-'));
  const files = openBlobStore({ kind: 'local', dir: filesDir });
  const pdfBytes = (t: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${t} ${crypto.randomUUID()}\n%%EOF\n`));

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-move-'));
    const source = await openDatabase({ dataDir });
    try {
      await source.migrate();
      names = await fillWithRealData(source);
      // A personal file whose blob is in the storage the target will run with, and one whose blob is nowhere.
      const stored = (await putBlob(pdfBytes('giấy tờ chuyển theo'), { maxBytes: 10_000, store: files })).sha256;
      const [citizen] = await source.db
        .insert(citizens)
        .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190012345', fullName: 'Hà Văn Tùng', loa: 2 })
        .returning();
      const file = { citizenId: citizen!.id, size: 10, mime: 'application/pdf', name: 'tep.pdf', source: 'upload' as const };
      await source.db.insert(personalFiles).values([
        { ...file, sha256: stored },
        { ...file, sha256: lost },
      ]);
      const sql = pgliteSql(source.pglite!);
      sourceCounts = await countRows(sql, await listTables(sql));
      const audit = await verifyAuditChain(source.db);
      sourceAuditChecked = audit.checked;
    } finally {
      await source.close();
    }
    targetUrl = await createScratchDatabase('motcua_move');
  }, 180_000);

  afterAll(async () => {
    if (targetUrl) await dropScratchDatabase(targetUrl);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(filesDir, { recursive: true, force: true });
  });

  it('copies every table, sequence and the audit chain, and the app works on the copy', async () => {
    const report = await moveDatabase({ dataDir, targetUrl, print: () => {}, store: files });
    // Every file the moved rows name is looked up in the storage it will run with: all but the one stored there are
    // named missing — the lost one, and the dossiers' files of the data (in the tests' own storage, not this one).
    expect(report.blobs!.checked).toBeGreaterThanOrEqual(2);
    expect(report.blobs).toMatchObject({ missing: report.blobs!.checked - 1 });
    expect(report.blobs!.firstMissing).toContain(lost);
    for (const sha of report.blobs!.firstMissing.filter((h) => h !== lost)) expect(await blobStore().has(sha)).toBe(true);
    expect(report.tables.length).toBe(sourceCounts.size);
    for (const t of report.tables) expect({ table: t.table, rows: t.target }).toEqual({ table: t.table, rows: sourceCounts.get(t.table) });
    // Real data went across, pg-boss's queue partition with its job included.
    expect(sourceCounts.get('public.dossiers')).toBe(4);
    expect(sourceCounts.get('public.audit_log')).toBeGreaterThan(10);
    expect([...sourceCounts].some(([t, n]) => /^pgboss\.j[0-9a-f]{56}$/.test(t) && n === 1)).toBe(true);
    expect(report.audit).toMatchObject({ ok: true, checked: sourceAuditChecked });
    expect(report.audit.ok && report.audit.unsealed).toBeGreaterThan(0);

    const source = await openDatabase({ dataDir });
    const sourceSequences = await readSequences(pgliteSql(source.pglite!)).finally(() => source.close());
    const target: Database = await openDatabase({ url: targetUrl, poolSize: 4 });
    try {
      const client = await target.pool!.connect();
      const targetSequences = await readSequences(clientSql(client)).finally(() => client.release());
      expect(targetSequences).toEqual(sourceSequences);
      expect(await target.pendingMigrations()).toEqual([]);

      const clerk = await actorFor(target, sctClerkUsername());
      const now = new Date();
      const inbox = await listInbox(target.db, clerk, {}, now, new Date(now.getTime() + 86_400_000));
      expect(inbox.rows.map((r) => r.applicantName).sort()).toEqual([...names].sort());
      // The sequences and triggers go on from where the source stopped: a new dossier, sealed into the same chain.
      const [liquor] = await target.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
      await receiveAtCounter(target.db, clerk, { procedureId: liquor!.id, channel: '1', fullName: 'Võ Thị Giang', phone: '0912000111' });
      await sealAuditChain(target.db);
      expect(await verifyAuditChain(target.db)).toMatchObject({ ok: true, unsealed: 0 });

      const c = new Client(buildApp(target));
      expect((await c.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
      expect((await c.get('/tiepnhan')).status).toBeLessThan(400);
    } finally {
      await target.close();
    }
  }, 180_000);

  it('refuses a target role that may not switch its triggers off, writing nothing', async () => {
    const role = `motcua_mover_${crypto.randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL! });
    await admin.connect();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${role}_db`;
    try {
      await admin.query(`create role ${role} login`);
      await admin.query(`create database ${name} owner ${role}`);
      url.username = role;
      url.pathname = `/${name}`;
      await expect(moveDatabase({ dataDir, targetUrl: url.toString(), print: () => {} })).rejects.toThrow(
        /may not switch off triggers .*GRANT SET ON PARAMETER session_replication_role.* Rolled back: the target is as empty as it was/,
      );
      const check = new pg.Client({ connectionString: url.toString() });
      await check.connect();
      try {
        expect(await listTables(clientSql(check))).toEqual([]);
      } finally {
        await check.end();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  }, 120_000);

  it('rolls the migrations back too when the copy cannot go on (a table of the source no migration makes)', async () => {
    const source = await openDatabase({ dataDir });
    await source.pglite!.exec('create table public.hand_made (id int primary key)');
    await source.close();
    const url = await createScratchDatabase('motcua_move_rollback');
    try {
      await expect(moveDatabase({ dataDir, targetUrl: url, print: () => {} })).rejects.toThrow(
        /Table public\.hand_made of the source is not made by the migrations: it cannot be copied\. Rolled back: the target is as empty as it was/,
      );
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      // The migrations ran in the same transaction: not even drizzle's record of them stayed.
      expect(await listTables(clientSql(check)).finally(() => check.end())).toEqual([]);
    } finally {
      const again = await openDatabase({ dataDir });
      await again.pglite!.exec('drop table public.hand_made');
      await again.close();
      await dropScratchDatabase(url);
    }
  }, 120_000);

  it('refuses a target that is not empty and leaves it as it was', async () => {
    const target = await openDatabase({ url: targetUrl, poolSize: 2 });
    const sql = async <T>(text: string, params?: unknown[]) => (await target.pool!.query(text, params)).rows as T[];
    try {
      const before = await countRows(sql, await listTables(sql));
      await expect(moveDatabase({ dataDir, targetUrl, print: () => {} })).rejects.toThrow(
        /Refused: the target database .* is not empty \(it holds drizzle\.__drizzle_migrations, .*\); nothing was written/,
      );
      expect(await countRows(sql, await listTables(sql))).toEqual(before);
    } finally {
      await target.close();
    }
  }, 60_000);
});
