import type { Projection } from '../../projections/types';

/** The projections this service runs, by name. Duplicate names or shared collections throw. */
export function projectionRegistry(projections: readonly Projection[]) {
  const byName = new Map<string, Projection>();
  const owner = new Map<string, string>();
  for (const p of projections) {
    if (byName.has(p.name)) throw new Error(`projection registered twice: ${p.name}`);
    for (const c of p.collections) {
      const other = owner.get(c);
      if (other) throw new Error(`collection ${c} is owned by both ${other} and ${p.name}`);
      owner.set(c, p.name);
    }
    byName.set(p.name, p);
  }
  return {
    all: (): Projection[] => [...byName.values()],
    names: (): string[] => [...byName.keys()],
    get: (name: string): Projection | undefined => byName.get(name),
  };
}

export type ProjectionRegistry = ReturnType<typeof projectionRegistry>;
