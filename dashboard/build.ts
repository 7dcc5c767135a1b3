/**
 * Builds the dashboard app (`npm run build:dashboard`; `npm ci` runs it through `prepare`):
 * dashboard/dist/index.html and dashboard/dist/assets/app-<hash>.{js,css}, each also stored
 * gzip- and brotli-compressed for the service to send as they are (src/http/dashboardApp.ts).
 */
import { build, type BuildOptions } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = __dirname;
export const dashboardDist = path.join(root, 'dist');

export const appOptions: BuildOptions = {
  entryPoints: { app: path.join(root, 'src/main.tsx') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  entryNames: '[name]-[hash]',
  metafile: true,
};

const compress = (file: string) => {
  const data = fs.readFileSync(file);
  fs.writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  fs.writeFileSync(
    `${file}.br`,
    brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
};

/** Builds into a fresh directory and swaps it in, so a running service never sees half a build. */
export async function buildDashboard(outDir = dashboardDist): Promise<{ js: string; css: string }> {
  const staging = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const assets = path.join(staging, 'assets');
  const result = await build({ ...appOptions, outdir: assets });
  const outputs = Object.keys(result.metafile!.outputs).map((f) => path.basename(f));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css)
    throw new Error(`esbuild wrote ${outputs.join(', ')}: expected a .js and a .css`);
  for (const f of [js, css]) compress(path.join(assets, f));
  const html = fs
    .readFileSync(path.join(root, 'src/index.html'), 'utf8')
    .replace('%JS%', js)
    .replace('%CSS%', css);
  fs.writeFileSync(path.join(staging, 'index.html'), html);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(staging, outDir);
  return { js: path.join(outDir, 'assets', js), css: path.join(outDir, 'assets', css) };
}

if (require.main === module) {
  buildDashboard().then(
    ({ js }) => {
      const kb = (f: string) => (fs.statSync(f).size / 1024).toFixed(1);
      console.log(
        `dashboard written to ${path.relative(process.cwd(), dashboardDist)} (${path.basename(js)}: ${kb(js)} KB, ${kb(`${js}.gz`)} KB gzipped)`,
      );
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
