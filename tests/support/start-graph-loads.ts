/**
 * Run by tests/start-loads.test.ts in a child process: records every module resolved while the modules src/main.ts
 * imports statically are loaded (what an instance pays for before it listens), and prints the packages among them.
 */
import fs from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const here = path.dirname(fileURLToPath(import.meta.url));
const main = path.join(here, '../../src/main.ts');
const urls = new Set<string>();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url: string) => urls.add(url));
register('./load-recorder-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

// main.ts's static imports (not `import type`), resolved from its folder: its start without running it.
const specifiers = [...fs.readFileSync(main, 'utf8').matchAll(/^import (?!type )[^;]*? from '([^']+)';$/gms)].map((m) => m[1]!);
for (const s of specifiers) await import(s.startsWith('.') ? pathToFileURL(path.resolve(path.dirname(main), s)).href : s);
await new Promise((resolve) => setTimeout(resolve, 200));
port1.close();
const packages = new Set<string>();
for (const url of urls) {
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m?.[1]) packages.add(m[1]);
}
console.log(JSON.stringify({ imported: specifiers.length, packages: [...packages].sort() }));
