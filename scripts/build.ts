/**
 * `npm run build`: the compiled JavaScript a production start runs (`npm run start:prod` = `node dist/src/main.js`).
 * Each source file of src/ and sim/ is transpiled on its own (esbuild, no bundling: the tree, the `.js` import
 * specifiers and every `import.meta.url`-relative path stay as they are), and the files that are not TypeScript
 * (migrations, static assets, the population file) are copied beside them. Type checking is `npm run typecheck`'s
 * job; this only removes the start-time cost of transpiling on the fly (docs/decisions/0029-start-time-and-memory.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist');
const TREES = ['src', 'sim'];
const isSource = (f: string) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.endsWith('.d.ts');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

const started = Date.now();
fs.rmSync(OUT, { recursive: true, force: true });
const files = TREES.flatMap((t) => walk(path.join(ROOT, t)));
const sources = files.filter(isSource);
await build({
  entryPoints: sources,
  outbase: ROOT,
  outdir: OUT,
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  sourcemap: 'linked',
  logLevel: 'warning',
});
let copied = 0;
for (const f of files) {
  if (/\.tsx?$/.test(f)) continue;
  const to = path.join(OUT, path.relative(ROOT, f));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(f, to);
  copied++;
}
// Node reads `dist/**/*.js` as ES modules only under a package.json that says so.
fs.writeFileSync(path.join(OUT, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
console.log(`dist/: ${sources.length} modules transpiled, ${copied} files copied in ${Date.now() - started} ms`);
