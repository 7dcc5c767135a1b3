/**
 * Builds (or finds cached) the embedded FerretDB binary and prints its path on stdout.
 * CI runs this during set-up so the first test does not pay the module download inside a timeout.
 *
 *   npx tsx scripts/ferretdb-build.ts [--cache-dir DIR]
 */
import { parseArgs } from 'node:util';
import {
  defaultFerretdbCacheDir,
  ensureFerretdbBinary,
  FERRETDB_VERSION,
} from '../src/mongo/ferretdb';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'cache-dir': { type: 'string' } } });
  const cacheDir = values['cache-dir'] ?? defaultFerretdbCacheDir();
  const started = Date.now();
  const binary = await ensureFerretdbBinary(cacheDir, {
    onBuildStart: (path) =>
      process.stderr.write(`building FerretDB ${FERRETDB_VERSION} into ${path} ...\n`),
  });
  process.stderr.write(
    `FerretDB ${FERRETDB_VERSION} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  process.stdout.write(`${binary}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ferretdb-build: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
