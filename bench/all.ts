/**
 * `npm run bench`: the benchmarks one after the other on the same database, each in its own process (so one's
 * warmed-up app and pools do not help or hinder the next):
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run bench [-- --only inbox,start,statistics,catalog,portal,sso]
 *
 * inbox (bench/inbox.ts), start (bench/start.ts: a compiled production instance's start time, and its RSS under the
 * inbox's load), statistics (bench/statistics.ts: the province-wide situation report for a year, beside the
 * inbox on the same database), catalog (bench/catalog.ts: the public catalog's search on the same database), portal
 * (bench/portal.ts) and sso (bench/sso.ts: the SSO provider's token endpoint and code-flow login), with their default
 * options; run one alone with its options through `npm run bench:inbox`, `bench:start`, `bench:statistics`, `bench:catalog`, `bench:portal` or
 * `bench:sso`. Without DATABASE_URL, the database of bench/README.md (motcua_bench). Exits
 * non-zero if any of them did.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = ['inbox', 'start', 'statistics', 'catalog', 'portal', 'sso'] as const;
type Benchmark = (typeof BENCHMARKS)[number];
const isBenchmark = (s: string): s is Benchmark => (BENCHMARKS as readonly string[]).includes(s);

const args = process.argv.slice(2);
let only: Benchmark[] = [...BENCHMARKS];
for (let i = 0; i < args.length; i++) {
  const names = args[i] === '--only' ? args[++i]?.split(',') : undefined;
  if (!names?.every(isBenchmark)) {
    console.error(`Usage: npm run bench [-- --only ${BENCHMARKS.join(',')}]   (options of one benchmark: npm run bench:<name> -- …)`);
    process.exit(2);
  }
  only = names.filter(isBenchmark);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/motcua_bench' };
const failed: string[] = [];
for (const name of only) {
  console.log(`\n════════ ${name} (bench/${name}.ts) ════════\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`)], { stdio: 'inherit', env });
  if (r.status !== 0) failed.push(`${name} (exit ${r.status ?? r.signal})`);
}
if (failed.length) {
  console.error(`\nbench: failed: ${failed.join(', ')}`);
  process.exit(1);
}
