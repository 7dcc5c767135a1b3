import { build, type Plugin } from 'esbuild';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildClient, distDir } from '../build';

const repoRoot = path.resolve(__dirname, '../..');
const pagesDir = path.join(__dirname, 'pages');

/** Resolves a package from the repo, or from NODE_PATH (where a dev may have it outside the lockfile). */
function resolvePackageDir(name: string): string {
  const paths = [repoRoot, ...(process.env.NODE_PATH?.split(path.delimiter).filter(Boolean) ?? [])];
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths }));
  } catch {
    throw new Error(
      `${name} is needed by the React browser test: add it as a devDependency (npm i -D ${name}@19.3.1)`,
    );
  }
}

/**
 * React and react-dom as one ES module, so the page can map `react`, `react/jsx-runtime` and
 * `react-dom/client` to it with an import map: client/dist/react.js then runs exactly as built,
 * importing `react` from the app, with a single React instance on the page.
 */
async function buildVendor(): Promise<string> {
  const reactDir = resolvePackageDir('react');
  const reactDomDir = resolvePackageDir('react-dom');
  const names = (mod: string) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Object.keys(require(path.join(mod)) as object).filter(
      (k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default',
    );
  const reactNames = names(reactDir);
  const jsxNames = names(path.join(reactDir, 'jsx-runtime')).filter((n) => !reactNames.includes(n));
  const domNames = names(path.join(reactDomDir, 'client')).filter((n) => !reactNames.includes(n));
  const source = [
    `import * as R from 'react'; import * as J from 'react/jsx-runtime'; import * as D from 'react-dom/client';`,
    `export const { ${reactNames.join(', ')} } = R;`,
    `export const { ${jsxNames.join(', ')} } = J;`,
    `export const { ${domNames.join(', ')} } = D;`,
    `export default R;`,
  ].join('\n');
  const out = await build({
    stdin: { contents: source, resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    format: 'esm',
    write: false,
    alias: { react: reactDir, 'react-dom': reactDomDir },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return out.outputFiles[0]!.text;
}

/** The React test app, importing the SDK hook from the built /react.js. */
async function buildReactApp(): Promise<string> {
  const sdkFromDist: Plugin = {
    name: 'sdk-from-dist',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/\.\.\/react$/ }, () => ({ path: '/react.js', external: true }));
      b.onResolve({ filter: /^\.\.\/\.\.\/core$/ }, () => ({ path: '/stats.js', external: true }));
    },
  };
  const out = await build({
    entryPoints: [path.join(pagesDir, 'reactApp.tsx')],
    bundle: true,
    format: 'esm',
    write: false,
    jsx: 'automatic',
    external: ['react', 'react/*', 'react-dom', 'react-dom/*'],
    plugins: [sdkFromDist],
  });
  return out.outputFiles[0]!.text;
}

/** Serves the test pages and the freshly built SDK on 127.0.0.1 (another origin than the service). */
export async function startPageServer() {
  await buildClient();
  const built: Record<string, string> = { '/react-app.js': await buildReactApp() };
  // Without react-dom only the React page breaks; its tests report `reactError`.
  const reactError = await buildVendor().then(
    (code) => void (built['/vendor.js'] = code),
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = url.pathname;
    let body: string | Buffer | undefined = built[file];
    if (body === undefined && /^\/(stats|react)\.js$/.test(file))
      body = fs.readFileSync(path.join(distDir, file));
    if (body === undefined && /^\/[\w-]+\.html$/.test(file))
      body = fs.readFileSync(path.join(pagesDir, file));
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.html') ? 'text/html' : 'text/javascript';
    res
      .writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' })
      .end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Why the React page cannot run (react-dom missing), if it cannot. */
    reactError,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
