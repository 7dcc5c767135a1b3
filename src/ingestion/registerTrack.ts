import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { trackStream, type StoredEventData } from '../events/stored';
import type { CatalogCache, CatalogEntry } from './catalogCache';
import type { StreamWriter } from './writerWorker';

export const trackIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -');

export const catalogInputSchema = z.object({
  artistId: z.string().trim().min(1).max(128),
  title: z.string().trim().min(1).max(500),
  durationSeconds: z.number().finite().positive().max(86_400),
});
export type CatalogInput = z.infer<typeof catalogInputSchema>;

export type RegisterOutcome = {
  trackId: string;
  result: 'registered' | 'updated' | 'unchanged';
} & CatalogInput;

export type RegisterTrackDeps = {
  writer: StreamWriter;
  catalog: CatalogCache;
  clock: () => Date;
  newId?: () => string;
};

const same = (a: CatalogEntry, b: CatalogInput) =>
  a.artistId === b.artistId && a.title === b.title && a.durationSeconds === b.durationSeconds;

/**
 * Registers a track in the catalog or updates it: TrackRegistered the first time (as far as the
 * read model and this process know), TrackUpdated after; an identical entry appends nothing.
 */
export async function registerTrack(
  deps: RegisterTrackDeps,
  trackId: string,
  input: CatalogInput,
): Promise<RegisterOutcome> {
  await deps.catalog.prefetch([trackId], true);
  const known = deps.catalog.get(trackId);
  if (known && same(known, input)) return { trackId, result: 'unchanged', ...input };
  const type = known ? 'TrackUpdated' : 'TrackRegistered';
  const data: StoredEventData<'TrackRegistered'> = {
    trackId,
    ...input,
    occurredAt: deps.clock().toISOString(),
  };
  await deps.writer.write(trackStream(trackId), [{ id: (deps.newId ?? randomUUID)(), type, data }]);
  deps.catalog.set(trackId, input);
  return { trackId, result: known ? 'updated' : 'registered', ...input };
}
