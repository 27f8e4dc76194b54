/**
 * What an instance loads before it listens (docs/decisions/0029): the libraries a request may never need are
 * imported at their first use, not at start. This loads src/main.ts's static imports in a fresh process (without
 * running main) and fails when one of them pulls such a library in again.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AT_FIRST_USE } from './support/first-use-libraries.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe("an instance's start", () => {
  it('loads none of the libraries kept for their first use', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tests/support/start-graph-loads.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test' },
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const { imported, packages } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { imported: number; packages: string[] };
    expect(imported).toBeGreaterThan(5);
    // The check sees packages at all (the start needs a few), so an empty list is not a pass by accident.
    expect(packages).toEqual(expect.arrayContaining(['hono', 'drizzle-orm', 'zod']));
    expect(packages.filter((p) => AT_FIRST_USE.includes(p))).toEqual([]);
  });
});
