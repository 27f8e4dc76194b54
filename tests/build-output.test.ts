/**
 * The production build (`npm run build`, scripts/build.ts): our sources bundled into a few files with code splitting.
 * What a bundle could get wrong that the sources cannot: a library kept for its first use hoisted into the entry (a
 * bundle without splitting does exactly that), and a path built from `import.meta.url` (migrations, static files,
 * the population file) pointing where the chunk landed rather than where the source's file would be. Built into a
 * folder of this run's own, inside the repository (packages resolve from its node_modules), removed afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../scripts/build.js';
import { AppProcesses, newPostgresDatabase } from './support/app-processes.js';
import { AT_FIRST_USE } from './support/first-use-libraries.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';
const OUT = `.test-build-${process.env.MOTCUA_TEST_DB ?? 'x'}-${process.pid}`;

/** The package a bare specifier names (`drizzle-orm/pg-core` → drizzle-orm, `@scope/pkg/x` → @scope/pkg). */
const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));

/** The packages loaded before main.js runs: its static imports and those of the chunks it imports statically. */
function packagesAtStart(meta: Metafile, entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of meta.outputs[file]?.imports ?? []) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) {
        if (!imp.path.startsWith('node:')) packages.add(packageOf(imp.path));
      } else visit(imp.path);
    }
  };
  visit(entry);
  return packages;
}

let meta: Metafile;
const entry = `${OUT}/src/main.js`;

beforeAll(async () => {
  ({ metafile: meta } = await buildDist(OUT));
}, 60_000);
afterAll(() => fs.rmSync(path.join(ROOT, OUT), { recursive: true, force: true }));

describe('the production build', () => {
  it('bundles our modules into a few files, and loads none of the first-use libraries before main runs', () => {
    const outputs = Object.keys(meta.outputs).filter((f) => f.endsWith('.js'));
    expect(outputs).toContain(entry);
    expect(outputs.length).toBeLessThan(30);
    expect(Object.keys(meta.inputs).length).toBeGreaterThan(300);
    const atStart = packagesAtStart(meta, entry);
    // The walk sees the packages every request needs, so an empty set is not a pass by accident.
    expect([...atStart]).toEqual(expect.arrayContaining(['hono', 'drizzle-orm', 'zod', 'pino']));
    expect([...atStart].filter((p) => AT_FIRST_USE.includes(p))).toEqual([]);
    // …and they are still reachable, at their first use.
    const anywhere = new Set(Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => packageOf(i.path))));
    expect([...anywhere]).toEqual(expect.arrayContaining(['oidc-provider', 'pdfkit', 'exceljs']));
  });

  it('places every import.meta.url of a source at its own file in the build, not at the chunk', () => {
    const code = Object.keys(meta.outputs)
      .filter((f) => f.endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'))
      .join('\n');
    const addresses = [...code.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)].map((m) => m[1]);
    expect(addresses).toEqual(expect.arrayContaining(['./db/client.js', './web/static.js', './../sim/state.js']));
    // Each names a source that exists, and the files read beside it were copied.
    for (const a of addresses) expect(fs.existsSync(path.join(ROOT, 'src', a!.replace(/\.js$/, '.ts')))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, OUT, 'src/db/migrations/meta/_journal.json'))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, OUT, 'src/web/static/app.css'))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, OUT, 'sim/data/population.json'))).toBe(true);
  });

  describe.runIf(onPostgres)('run as an instance on PostgreSQL', () => {
    const instances = new AppProcesses();
    afterAll(() => instances.stop(), 20_000);

    it('migrates an empty database, serves pages, static files, the SSO provider and its simulator', async () => {
      const databaseUrl = await newPostgresDatabase('build_output');
      const inst = await instances.start('built', { databaseUrl, command: ['--max-old-space-size=128', entry] });
      await instances.ready();
      const get = (p: string) => fetch(`${inst.origin}${p}`, { redirect: 'manual' });
      expect((await get('/dang-nhap')).status).toBe(200);
      const css = await get('/static/app.css');
      expect(css.status).toBe(200);
      expect(await css.text()).toBe(fs.readFileSync(path.join(ROOT, 'src/web/static/app.css'), 'utf8'));
      expect((await get('/static/altcha/altcha.js')).status).toBe(200);
      const discovery = await get('/sso/.well-known/openid-configuration');
      expect(discovery.status).toBe(200);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://localhost:${inst.port}/sso`);
      // The catalog page reads the migrated schema; VNeID's login goes to the simulator, which read its population.
      expect((await get('/thu-tuc')).status).toBe(200);
      const vneid = await get('/dang-nhap/vneid');
      expect([302, 303]).toContain(vneid.status);
      const atSimulator = await fetch(vneid.headers.get('location')!, { redirect: 'manual' });
      expect(atSimulator.status).toBeLessThan(400);
    }, 90_000);
  });
});
