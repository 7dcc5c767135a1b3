import fs from 'node:fs';
import path from 'node:path';

/** The nearest ancestor of `from` (itself included) holding `marker`, a relative path. */
export function findUp(marker: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, marker))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`${marker} not found above ${from}`);
  }
}

/**
 * The project's root: the nearest ancestor of `from` holding package.json. The same from the
 * TypeScript sources (src/…) and from the bundle `npm start` runs (.cache/service/<pid>/).
 */
export const projectRoot = (from: string = __dirname): string => findUp('package.json', from);
