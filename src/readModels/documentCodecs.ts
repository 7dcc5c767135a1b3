import type { Document } from 'mongodb';
import { isDeltaCollection, rollupDeltaCodec } from './rollups/documents';

/**
 * How a read model's documents are stored, apart from what they say. Projections emit
 * structured documents (cells as maps, sketches as bytes, lists as arrays); the writer
 * (src/projector/readModelWriter.ts) stores each insert through its collection's codec, and
 * readers, compaction and jobs read through the same module (`decode`, or the read model's
 * own `unpack…` functions). Collections without a codec are stored as emitted.
 *
 * Today's codecs pack the large, deeply nested parts into JSON strings, on FerretDB and on
 * MongoDB alike: docs/READ-MODELS.md ("Stored form") says why.
 */
export type DocumentCodec = {
  /** The document to store for an insert of `doc` under `id` (a new object; `doc` is kept). */
  encode(doc: Record<string, unknown>, id: string): Document;
  /** The structured document back from a stored one. */
  decode(stored: Document): Record<string, unknown>;
};

/** The codec of a logical collection, or undefined when it is stored as emitted. */
export function documentCodec(logical: string): DocumentCodec | undefined {
  if (isDeltaCollection(logical)) return rollupDeltaCodec;
  return undefined;
}
