import fs from 'node:fs';
import path from 'node:path';

/**
 * The service's Node options (scripts/lib/serviceBundle.cjs) are written out in package.json's
 * `start` and the Dockerfile's CMD, which cannot import them: they must say the same.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serviceNodeArgs } = require('../scripts/lib/serviceBundle.cjs') as {
  serviceNodeArgs: string[];
};
const root = path.join(__dirname, '..');

it('npm start passes the service its Node options', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.start).toBe(`node ${serviceNodeArgs.join(' ')} scripts/start.cjs`);
});

it("the Dockerfile's CMD passes the service its Node options", () => {
  const cmd = /^CMD (\[.*\])$/m.exec(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  expect(JSON.parse(cmd![1]!)).toEqual(['node', ...serviceNodeArgs, 'scripts/start.cjs']);
});
