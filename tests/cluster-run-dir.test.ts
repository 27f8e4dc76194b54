/**
 * The folder of `npm run start:cluster` under the shared temporary folder (its HAProxy configuration, HAProxy's admin
 * socket, the control socket of `npm run restart:rolling`): another user of the machine who made it first, or left it
 * open, could read or replace what the cluster writes there and drive HAProxy or the restart. It is used only when it
 * is a real folder of this user that nobody else may enter.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { controlSocketPath, privateRunDir } from '../scripts/cluster-instances.js';

// Only names a folder: nothing listens on it.
const port = 40_000 + (process.pid % 20_000);
const dir = path.dirname(controlSocketPath(port));
const elsewhere = path.join(os.tmpdir(), `motcua-cluster-elsewhere-${process.pid}`);

describe('the cluster folder', () => {
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('is made private to its user when new', () => {
    fs.rmSync(dir, { recursive: true, force: true });
    expect(privateRunDir(port)).toBe(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    // A second start on the same port finds it as it left it.
    expect(privateRunDir(port)).toBe(dir);
  });

  it('is refused when someone left it open to others, or put a link to another folder in its place', () => {
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o777);
    expect(() => privateRunDir(port)).toThrow(/is not a private folder of this user .*mode 777/);
    fs.rmSync(dir, { recursive: true, force: true });

    fs.mkdirSync(elsewhere, { mode: 0o700 });
    fs.symlinkSync(elsewhere, dir);
    expect(() => privateRunDir(port)).toThrow(/is not a private folder of this user/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});
