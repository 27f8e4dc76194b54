/**
 * The deployment guide and its files stay true to the code: every setting src/config.ts reads is described in
 * docs/deploy.md and deploy/motcua.env.example; the example, once its secrets are filled in, is a production
 * configuration src/config.ts accepts; the systemd units read that file and run scripts package.json has; the guide's
 * links stay inside the repository and lead somewhere; deploy/haproxy.cfg, run by Debian's HAProxy, lets no client
 * choose the address or host the app (TRUST_PROXY=true) believes, nor publishes the instances' health.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
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

  const HAPROXY = '/usr/sbin/haproxy';
  it.skipIf(!fs.existsSync(HAPROXY))(
    "forward only the client's own address through HAProxy, whatever forwarding headers it sends; keep the health checks inside",
    async () => {
      // An instance stand-in that answers every request (the health checks' /readyz too) with the headers it was given.
      const seen = http.createServer((req, res) => {
        const h = req.headers;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            for: h['x-forwarded-for'],
            host: h['x-forwarded-host'],
            port: h['x-forwarded-port'],
            realIp: h['x-real-ip'],
            forwarded: h.forwarded,
            proto: h['x-forwarded-proto'],
          }),
        );
      });
      await new Promise<void>((resolve) => seen.listen(0, '127.0.0.1', resolve));
      const free = http.createServer();
      await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
      const port = (free.address() as AddressInfo).port;
      await new Promise((resolve) => free.close(resolve));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-haproxy-'));
      const cfg = path.join(dir, 'haproxy.cfg');
      fs.writeFileSync(
        cfg,
        read('deploy/haproxy.cfg')
          .replaceAll('{{BIND}}', `127.0.0.1:${port}`)
          .replaceAll('{{STATS_SOCKET}}', path.join(dir, 'admin.sock'))
          .replaceAll('{{SERVERS}}', `    server app1 127.0.0.1:${(seen.address() as AddressInfo).port} check`),
      );
      let lb: ChildProcess | null = null;
      try {
        lb = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
        const spoofed = {
          'X-Forwarded-For': '203.0.113.7',
          'X-Forwarded-Host': 'attacker.example',
          'X-Forwarded-Port': '8443',
          'X-Real-IP': '203.0.113.8',
          Forwarded: 'for=203.0.113.9;host=attacker.example;proto=https',
          'X-Forwarded-Proto': 'https',
        };
        const ask = () =>
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = http.get({ host: '127.0.0.1', port, path: '/tiepnhan', headers: spoofed }, (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (body += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            });
            req.on('error', reject);
          });
        const deadline = Date.now() + 20_000;
        let answer = await ask().catch(() => null);
        while (answer?.status !== 200 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          answer = await ask().catch(() => null);
        }
        expect(answer?.status).toBe(200);
        expect(JSON.parse(answer!.body)).toEqual({ for: '127.0.0.1', proto: 'http' });
        // The instances' health is not published through the public address (HAProxy's own checks go to the instance).
        for (const health of ['/readyz', '/healthz'])
          expect(await fetch(`http://127.0.0.1:${port}${health}`).then((r) => r.status), health).toBe(404);
      } finally {
        lb?.kill('SIGTERM');
        if (lb && lb.exitCode === null) await new Promise((resolve) => lb!.once('exit', resolve));
        await new Promise((resolve) => seen.close(resolve));
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    40_000,
  );
});
