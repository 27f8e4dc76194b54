/**
 * The deployment guide and its files stay true to the code: every setting src/config.ts reads is described in
 * docs/deploy.md and deploy/motcua.env.example; the example, once its secrets are filled in, is a production
 * configuration src/config.ts accepts; the systemd units read that file and run scripts package.json has; the guide's
 * links stay inside the repository and lead somewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The variables of EnvSchema, as src/config.ts declares them (one `  NAME:` line each). */
function settingNames(): string[] {
  const source = read('src/config.ts');
  const start = source.indexOf('const EnvSchema = z.object({');
  const end = source.indexOf('\n});', start);
  expect(start).toBeGreaterThan(-1);
  return [...source.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

/** KEY=value lines of an environment file (systemd's EnvironmentFile syntax: comments, optional quotes). */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return env;
}

describe('the deployment files', () => {
  it('describe every setting of src/config.ts', () => {
    const names = settingNames();
    expect(names.length).toBeGreaterThan(60);
    const guide = read('docs/deploy.md');
    const example = read('deploy/motcua.env.example');
    expect(names.filter((n) => !guide.includes(`\`${n}\``))).toEqual([]);
    expect(names.filter((n) => !new RegExp(`\\b${n}\\b`).test(example))).toEqual([]);
  });

  it('give a production configuration src/config.ts accepts once the secrets are filled in', () => {
    const env = parseEnvFile(read('deploy/motcua.env.example'));
    const blanks = Object.keys(env).filter((k) => env[k] === '');
    expect(blanks.sort()).toEqual(
      [
        'METRICS_TOKEN',
        'PAYMENT_MERCHANT',
        'PAYMENT_SECRET',
        'REGISTRY_TOKEN',
        'SESSION_SECRET',
        'SSO_KEY_ENCRYPTION_KEY',
        'VNEID_CLIENT_ID',
        'VNEID_CLIENT_SECRET',
      ].sort(),
    );
    const filled = Object.fromEntries(
      blanks.map((k) => [k, k === 'SSO_KEY_ENCRYPTION_KEY' ? 'ab'.repeat(32) : `${k.toLowerCase()}-filled-in-by-the-operator`]),
    );
    const config = loadConfig({ ...env, ...filled });
    expect(config).toMatchObject({
      env: 'production',
      demoData: false,
      trustProxy: true,
      migrateOnStart: false,
      worker: false,
      simulated: false,
    });
    expect(config.publicUrl).toMatch(/^https:\/\//);
    // As shipped, with the secrets blank, production refuses it, naming the first one missing.
    expect(() => loadConfig(env)).toThrow(/SESSION_SECRET: required when NODE_ENV=production/);
  });

  it('link only to files of the repository that exist', () => {
    const guide = read('docs/deploy.md');
    const targets = [...guide.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((t) => /^[a-z]+:/i.test(t))).toEqual([]);
    expect(targets.filter((t) => !fs.existsSync(path.join(ROOT, 'docs', t)))).toEqual([]);
  });

  it('install units that read the environment file and run scripts package.json has', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    for (const unit of ['deploy/systemd/motcua@.service', 'deploy/systemd/motcua-worker.service']) {
      const text = read(unit);
      expect(text).toContain('EnvironmentFile=/etc/motcua/motcua.env');
      const run = /^ExecStart=\/usr\/bin\/npm run (\S+)$/m.exec(text)?.[1];
      expect(scripts, unit).toContain(run);
    }
  });
});
