import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { coreOptions, reactOptions } from './build';

/** Module specifiers a bundle still imports at run time. */
const imports = (code: string) =>
  [...code.matchAll(/\bfrom\s*"([^"]+)"|\bimport\s*"([^"]+)"/g)].map((m) => m[1] ?? m[2]);

async function bundle(options: typeof coreOptions) {
  const out = await build({ ...options, write: false });
  return out.outputFiles[0]!.text;
}

describe('client build', () => {
  it('the core is self-contained ESM within the 3 KB min+gzip budget', async () => {
    const code = await bundle(coreOptions);
    expect(imports(code)).toEqual([]);
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).toMatch(/export\s*\{[^}]*\bStatsCollector\b/);
    expect(gzipSync(code, { level: 9 }).length).toBeLessThanOrEqual(3072);
  });

  it('the React binding imports only react and the sibling core bundle', async () => {
    const code = await bundle(reactOptions);
    expect(new Set(imports(code))).toEqual(new Set(['react', 'react/jsx-runtime', './stats.js']));
    expect(code).not.toContain('endpoint is required'); // the collector is not inlined
    expect(code).toMatch(/export\s*\{[^}]*\buseStats\b/);
  });
});
