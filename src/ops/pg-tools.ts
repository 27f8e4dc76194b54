/**
 * PostgreSQL's own client programs (pg_dump, pg_restore) for backup and restore (docs/decisions/0027): found on
 * PATH or in Debian's /usr/lib/postgresql/<major>/bin, checked against the server's major version, and run with
 * the password in the environment rather than on the command line (where `ps` shows it).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { OpsError } from './ops-error.js';

const run = promisify(execFile);

export type PgTool = { path: string; major: number };

/** The newest `name` found: PATH first, then every /usr/lib/postgresql/<major>/bin. */
export async function findPgTool(name: 'pg_dump' | 'pg_restore', serverMajor: number): Promise<PgTool> {
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
    ...(fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`) : []),
  ]
    .map((dir) => path.join(dir, name))
    .filter((p) => fs.existsSync(p));
  if (candidates.length === 0)
    throw new OpsError(
      `${name} not found on PATH nor in /usr/lib/postgresql/*/bin: install the PostgreSQL client (apt-get install postgresql-client-${serverMajor}).`,
    );
  const found: PgTool[] = [];
  for (const p of new Set(candidates)) {
    const { stdout } = await run(p, ['--version']).catch(() => ({ stdout: '' }));
    const m = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
    if (m) found.push({ path: p, major: Number(m[1]) });
  }
  found.sort((a, b) => b.major - a.major);
  const best = found[0];
  // pg_dump refuses a server newer than itself; an older pg_restore may not read a newer archive.
  if (!best || best.major < serverMajor)
    throw new OpsError(
      `${name} ${best ? best.major : '?'} (${best?.path ?? candidates[0]}) is older than the server (PostgreSQL ${serverMajor}): install postgresql-client-${serverMajor} or newer.`,
    );
  return best;
}

/** %XX decoded, or an OpsError for a broken escape (never a URIError out of a command). */
function decoded(text: string): string {
  let value: string;
  try {
    value = decodeURIComponent(text);
  } catch {
    throw new OpsError('the database connection string has a broken %-escape in its password or parameters');
  }
  // libpq refuses it too; here it would end in an environment variable that spawn() refuses, quoting it.
  if (value.includes('\0')) throw new OpsError('the database connection string has a %00 in its password or parameters');
  return value;
}

/**
 * A connection string without its password, and the password apart (PGPASSWORD). libpq reads a password from the
 * user-info part (`user:secret@`) and from a `password` parameter (`?password=secret`, which wins when both are
 * there); either left in the string would be on the tool's command line.
 */
export function splitPassword(url: string): { url: string; password: string | undefined } {
  const u = new URL(url);
  // libpq has no fragments: a '#' is part of the password or a parameter, but here it would cut the password short
  // and put the rest on the command line.
  if (u.hash !== '') throw new OpsError("the database connection string has a '#': write it as %23");
  // The query string is read and rewritten by hand: URLSearchParams would take a '+' for a space and re-encode the
  // other parameters its own way, while libpq only decodes %XX (a password or a path with '+' would change).
  let fromParameter: string | undefined;
  const kept = u.search
    .slice(1)
    .split('&')
    .filter((pair) => {
      if (pair === '') return false;
      const eq = pair.indexOf('=');
      const name = decoded(eq < 0 ? pair : pair.slice(0, eq));
      // A client key's passphrase has no environment variable to go to.
      if (name === 'sslpassword')
        throw new OpsError(
          'sslpassword in the database connection string would be on the command line: use a key without a passphrase, readable only by this user',
        );
      if (name !== 'password') return true;
      fromParameter = eq < 0 ? '' : decoded(pair.slice(eq + 1));
      return false;
    });
  const password = fromParameter ?? (u.password ? decoded(u.password) : undefined);
  u.password = '';
  u.search = kept.length ? `?${kept.join('&')}` : '';
  return { url: u.toString(), password };
}

/** Runs a tool to its end; a non-zero exit becomes an OpsError with what it wrote on stderr. */
export function runPgTool(tool: PgTool, args: string[], password: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(password !== undefined ? { PGPASSWORD: password } : {}) },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 20_000) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => reject(new OpsError(`${path.basename(tool.path)} could not start: ${err.message}`, { cause: err })));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new OpsError(`${path.basename(tool.path)} failed (exit ${code}): ${stderr.trim() || 'no message'}`)),
    );
  });
}
