/**
 * The service bundled to plain JavaScript (esbuild; packages stay in node_modules): `npm start`
 * runs it (scripts/start.cjs), and so do the benchmarks and tests that start the service as a
 * process (scripts/lib/service.ts). Running the bundle instead of the TypeScript sources through
 * tsx spares the process tsx's loader thread and compiled-source cache (~55 MB of RSS at idle)
 * and the compile time of every start.
 *
 * Three entry points, side by side in one directory, because the service starts two of its
 * files again as worker threads (`path.join(__dirname, 'writerWorker.js')`, `inWorker.js`).
 * The directory lies under the project (`.cache/service/<pid>`), so the bundle finds the
 * project root (package.json, dashboard/dist, tools/) by walking up, as the sources do.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Node options the service runs with: `npm start` (package.json), the Dockerfile's CMD and the
 * service processes benchmarks and tests start all pass these (test/serviceNodeArgs.unit.spec.ts
 * checks that they agree). A V8 heap limit of 2,000 MB, just under 2 GiB: from 2 GiB up (the
 * default here is 4 GiB) V8 lets the heap grow to 4x what survived the last full collection
 * while allocation is fast; under it, to at most ~2x. The service's caches are bounded (QUERY_*
 * settings), so its live heap stays near 100 MB: ~300 MB of RSS after the query bench against
 * 373-422 MB without the limit (docs/PERFORMANCE.md).
 *
 * A young generation of 32 MB semi-spaces instead of 16: ingestion allocates short-lived objects
 * fast (request bodies, facts, the client's decoded events), and with 16 MB V8 scavenged so often
 * that many of them lived long enough to be copied and promoted. Measured in the ingestion bench,
 * 4 runs each side by side: ~11,000 events/s instead of ~9,100, service CPU per event -20%.
 */
const serviceNodeArgs = ['--max-old-space-size=2000', '--max-semi-space-size=32'];

const entryPoints = [
  'src/main.ts',
  'src/ingestion/writerWorker.ts',
  'src/embedded-eventstore/inWorker.ts',
].map((f) => path.join(ROOT, f));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

/** Builds the bundle for this process; returns the path of its `main.js`. */
function buildService() {
  const { buildSync } = require('esbuild');
  const base = path.join(ROOT, '.cache', 'service');
  fs.mkdirSync(base, { recursive: true });
  // Bundles of processes that are gone (killed before they could remove theirs).
  for (const name of fs.readdirSync(base)) {
    if (/^\d+$/.test(name) && !alive(Number(name))) {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
    }
  }
  const outdir = path.join(base, String(process.pid));
  buildSync({
    entryPoints,
    outdir,
    entryNames: '[name]',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'error',
  });
  process.once('exit', () => fs.rmSync(outdir, { recursive: true, force: true }));
  return path.join(outdir, 'main.js');
}

module.exports = { buildService, serviceNodeArgs };
