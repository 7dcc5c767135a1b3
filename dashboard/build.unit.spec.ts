import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { appOptions } from './build';

describe('dashboard build', () => {
  it('is one ESM script and one stylesheet, within the 150 KB min+gzip budget', async () => {
    const out = await build({ ...appOptions, write: false, outdir: '/tmp/dashboard-build-check' });
    const js = out.outputFiles.filter((f) => f.path.endsWith('.js'));
    const css = out.outputFiles.filter((f) => f.path.endsWith('.css'));
    expect([js.length, css.length]).toEqual([1, 1]);
    const code = js[0]!.text;
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toContain('react.development'); // production React
    expect(gzipSync(code, { level: 9 }).length).toBeLessThanOrEqual(150 * 1024);
  });
});
