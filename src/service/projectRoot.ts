import fs from 'node:fs';
import path from 'node:path';

/**
 * The project's root: the nearest ancestor of `from` holding package.json. The same from the
 * TypeScript sources (src/…) and from the bundle `npm start` runs (.cache/service/<pid>/).
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
