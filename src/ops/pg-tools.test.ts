import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactPassword } from '../db/client.js';
import { runPgTool, splitPassword } from './pg-tools.js';

describe('splitPassword: nothing secret is left for the command line', () => {
  it('takes the password out of the user-info part', () => {
    const { url, password } = splitPassword('postgres://motcua:s%40cret%2F1@db.example:5432/motcua');
    expect(password).toBe('s@cret/1');
    expect(url).toBe('postgres://motcua@db.example:5432/motcua');
  });

  it('takes the password out of a ?password= parameter, keeping the other parameters', () => {
    const { url, password } = splitPassword('postgres://motcua@db.example/motcua?sslmode=require&password=b%C3%AD%20m%E1%BA%ADt');
    expect(password).toBe('bí mật');
    expect(url).toBe('postgres://motcua@db.example/motcua?sslmode=require');
    expect(url).not.toContain('password');
  });

  it('with both, the parameter is the one libpq uses, and neither stays', () => {
    const { url, password } = splitPassword('postgres://motcua:old@db.example/motcua?password=new');
    expect(password).toBe('new');
    expect(url).not.toMatch(/old|new/);
  });

  it("reads '+' as libpq does (itself, not a space) and leaves the other parameters exactly as written", () => {
    const { url, password } = splitPassword(
      'postgres://motcua@db.example/motcua?application_name=m%C3%B4t%20c%E1%BB%ADa&password=a+b%26c&sslrootcert=/etc/a+b.crt',
    );
    expect(password).toBe('a+b&c');
    expect(url).toBe('postgres://motcua@db.example/motcua?application_name=m%C3%B4t%20c%E1%BB%ADa&sslrootcert=/etc/a+b.crt');
  });

  it('a broken %-escape is a precise error, not a URIError', () => {
    expect(() => splitPassword('postgres://motcua@db.example/motcua?password=100%')).toThrow(/broken %-escape/);
  });

  it("a '#' (libpq's own character, the URL parser's fragment), a %00 or an sslpassword is refused, not half-passed", () => {
    expect(() => splitPassword('postgres://motcua@db.example/motcua?password=se#cret')).toThrow(/'#'.*%23/);
    expect(() => splitPassword('postgres://motcua@db.example/motcua?password=a%00b')).toThrow(/%00/);
    expect(() => splitPassword('postgres://motcua@db.example/motcua?sslpassword=k')).toThrow(/sslpassword/);
  });

  it('a %-encoded parameter name is read as libpq reads it', () => {
    expect(splitPassword('postgres://motcua@db.example/motcua?pass%77ord=x&a=1')).toEqual({
      url: 'postgres://motcua@db.example/motcua?a=1',
      password: 'x',
    });
  });

  it('a string without a password is left as it is', () => {
    expect(splitPassword('postgres://postgres@127.0.0.1:5432/motcua')).toEqual({
      url: 'postgres://postgres@127.0.0.1:5432/motcua',
      password: undefined,
    });
  });
});

describe('runPgTool', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-pgtool-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the tool the password in PGPASSWORD and only the bare string in its arguments', async () => {
    // A stand-in for pg_dump that writes down what it was given: its arguments, then PGPASSWORD.
    const tool = path.join(dir, 'pg_dump');
    const out = path.join(dir, 'seen.txt');
    fs.writeFileSync(tool, `#!/bin/sh\nprintf '%s\\n' "$*" > '${out}'\nprintf '%s\\n' "$PGPASSWORD" >> '${out}'\n`, { mode: 0o755 });
    const { url, password } = splitPassword('postgres://motcua@db.example/motcua?password=hidden-here');
    await runPgTool({ path: tool, major: 15 }, [`--dbname=${url}`, '--format=custom'], password);
    const [args, env] = fs.readFileSync(out, 'utf8').split('\n');
    expect(args).toBe('--dbname=postgres://motcua@db.example/motcua --format=custom');
    expect(env).toBe('hidden-here');
  });

  it('a failing tool is an error with what it wrote on stderr', async () => {
    const tool = path.join(dir, 'pg_restore');
    fs.writeFileSync(tool, `#!/bin/sh\necho 'connection refused' >&2\nexit 3\n`, { mode: 0o755 });
    await expect(runPgTool({ path: tool, major: 15 }, [], undefined)).rejects.toThrow(/pg_restore failed \(exit 3\): connection refused/);
  });
});

describe('redactPassword: what is printed of a connection string', () => {
  it('masks the user-info password, a password parameter however spelt, and sslpassword; keeps the rest', () => {
    expect(redactPassword('postgres://motcua:s3cret@db.example/motcua')).toBe('postgres://motcua:***@db.example/motcua');
    expect(redactPassword('postgres://motcua@db.example/motcua?sslmode=require&password=s3cret&pass%77ord=t&sslpassword=k#x')).toBe(
      'postgres://motcua@db.example/motcua?sslmode=require&password=***&pass%77ord=***&sslpassword=***',
    );
    expect(redactPassword('postgres://postgres@127.0.0.1:5432/motcua_bench')).toBe('postgres://postgres@127.0.0.1:5432/motcua_bench');
  });
});
