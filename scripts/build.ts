/**
 * `npm run build`: the compiled JavaScript a production start runs (`npm run start:prod` = `node dist/src/main.js`).
 *
 * src/main.ts is bundled with esbuild into dist/src/: our ~470 modules become the entry file and a few chunks, so the
 * start resolves, stats and compiles a handful of files instead of hundreds (measured: docs/decisions/0029). Code
 * splitting keeps every `await import()` of ours a chunk of its own, so what is loaded at its first use (the SSO
 * provider, the simulators, demo data, PDF and spreadsheet code) still is; packages stay external (node_modules as
 * installed), so a lazily imported library is not hoisted into the entry either. Every chunk sits in dist/src/, and
 * each source's `import.meta.url` is rewritten to the address its own compiled file would have had (dist/<path>.js),
 * so the paths built from it — migrations, static assets, the population file, createRequire — are those of the
 * file-by-file layout. The files that are not TypeScript are copied beside them as before. Type checking is
 * `npm run typecheck`'s job.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TREES = ['src', 'sim'];

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/** `import.meta.url` of a source as the address of its own compiled file, relative to the chunk it lands in. */
const metaUrlAsUnbundled = (OUT: string, CHUNKS: string): Plugin => ({
  name: 'import-meta-url-as-unbundled',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      const loader = args.path.endsWith('.tsx') ? 'tsx' : 'ts';
      const inside = path.relative(ROOT, args.path);
      if (!text.includes('import.meta.url') || inside.startsWith('..') || !TREES.includes(inside.split(path.sep)[0] ?? '')) {
        return { contents: text, loader };
      }
      const compiled = path.join(OUT, inside.replace(/\.tsx?$/, '.js'));
      const fromChunk = `./${path.relative(CHUNKS, compiled).split(path.sep).join('/')}`;
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`), loader };
    });
  },
});

/**
 * Builds into `out` (dist/ for production; a test builds elsewhere) and returns esbuild's account of it. `out` must
 * lie inside the repository: the packages are resolved from its node_modules.
 */
export async function buildDist(out: string): Promise<{ metafile: Metafile; summary: string }> {
  const OUT = path.resolve(ROOT, out);
  if (path.relative(ROOT, OUT).startsWith('..')) throw new Error(`build: ${out} is outside ${ROOT}`);
  const CHUNKS = path.join(OUT, 'src');
  const started = Date.now();
  fs.rmSync(OUT, { recursive: true, force: true });
  const result = await build({
    entryPoints: [path.join(ROOT, 'src/main.ts')],
    outdir: CHUNKS,
    outbase: path.join(ROOT, 'src'),
    bundle: true,
    splitting: true,
    chunkNames: '[name]-[hash]',
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: '#jsx',
    // Readable stack traces without --enable-source-maps (which costs RSS): names and lines stay close to the source.
    minify: false,
    sourcemap: 'linked',
    plugins: [metaUrlAsUnbundled(OUT, CHUNKS)],
    metafile: true,
    logLevel: 'warning',
  });
  let copied = 0;
  for (const f of TREES.flatMap((t) => walk(path.join(ROOT, t)))) {
    if (/\.tsx?$/.test(f)) continue;
    const to = path.join(OUT, path.relative(ROOT, f));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(f, to);
    copied++;
  }
  // Node reads `dist/**/*.js` as ES modules only under a package.json that says so.
  fs.writeFileSync(path.join(OUT, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
  const modules = Object.keys(result.metafile.inputs).length;
  const summary = `${path.relative(ROOT, OUT)}/: ${modules} modules bundled into ${outputs.length} files, ${copied} files copied in ${Date.now() - started} ms`;
  return { metafile: result.metafile, summary };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log((await buildDist('dist')).summary);
}
