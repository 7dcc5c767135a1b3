import type { Db, MongoClient } from 'mongodb';

export interface ServerQuirks {
  /** `buildInfo.ferretdbVersion` is present. */
  ferretdb: boolean;
  /**
   * Whether an `update` command that fails reports the failing update's index and the counts of
   * the others. FerretDB 1.24 does not: it runs updates one by one, stops at the first error
   * (ignoring `ordered`), answers `writeErrors: [{ index: 0 }]` and drops `n`/`nModified`/`upserted`
   * (internal/handler/msg_update.go). Its `upserted[].index` also counts upserts, not updates.
   */
  exactUpdateErrors: boolean;
  /**
   * Most updates one `update` command may carry. FerretDB 1.24 never answers 100 or more updates of
   * existing documents: each update's cursor is closed by a `defer` inside the loop over updates
   * (msg_update.go), so all stay open until the command ends. Infinity elsewhere.
   */
  maxUpdatesPerCommand: number;
}

const cache = new WeakMap<MongoClient, Promise<ServerQuirks>>();

/** Asks the server once per client (`buildInfo`) which known divergences from MongoDB apply. */
export function serverQuirks(db: Db): Promise<ServerQuirks> {
  let quirks = cache.get(db.client);
  if (quirks === undefined) {
    quirks = db
      .admin()
      .command({ buildInfo: 1 })
      .then((info) => {
        const ferretdb = 'ferretdbVersion' in info;
        return {
          ferretdb,
          exactUpdateErrors: !ferretdb,
          maxUpdatesPerCommand: ferretdb ? 99 : Infinity,
        };
      });
    // A failed probe is not cached: the next call asks again.
    quirks.catch(() => cache.delete(db.client));
    cache.set(db.client, quirks);
  }
  return quirks;
}
