/**
 * Builds the browser SDK (`npm run build:client`):
 * - client/dist/stats.js: the framework-free core, ESM, minified, no dependencies;
 * - client/dist/react.js: the React binding, importing the core from ./stats.js (one copy of
 *   StatsCollector per page) and leaving react to the app (peer dependency).
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import path from 'node:path';

const root = __dirname;
export const distDir = path.join(root, 'dist');

const shared: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  // Plain assignments in the constructor instead of Object.defineProperty per field: smaller.
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  // Members named `_x` are private to the bundle (see StatsCollector); shortening them saves ~10% gzipped.
  mangleProps: /^_[a-zA-Z]/,
};

/** esbuild options for the core; also used by scripts/client-size.ts. */
export const coreOptions: BuildOptions = {
  ...shared,
  entryPoints: [path.join(root, 'core/index.ts')],
  outfile: path.join(distDir, 'stats.js'),
};

// The hook imports the core from the sibling bundle instead of inlining a second copy.
const coreAsSibling: Plugin = {
  name: 'core-as-sibling',
  setup(b) {
    b.onResolve({ filter: /\/core(\/index)?$/ }, () => ({ path: './stats.js', external: true }));
  },
};

export const reactOptions: BuildOptions = {
  ...shared,
  entryPoints: [path.join(root, 'react/index.ts')],
  outfile: path.join(distDir, 'react.js'),
  jsx: 'automatic',
  external: ['react', 'react/*', 'react-dom', 'react-dom/*'],
  plugins: [coreAsSibling],
};

export async function buildClient(): Promise<void> {
  await Promise.all([build(coreOptions), build(reactOptions)]);
}

if (require.main === module) {
  buildClient().then(
    () =>
      console.log(
        `client SDK written to ${path.relative(process.cwd(), distDir)}/{stats,react}.js`,
      ),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
