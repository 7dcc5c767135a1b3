import type { TrackEvent } from '../../src/events/stored';
import { isInsert, isPut, type Projection, type ReadModelOp } from '../types';

export type Docs = Record<string, Record<string, Record<string, unknown>>>;

function setPath(doc: Record<string, unknown>, dotted: string, value: unknown) {
  const keys = dotted.split('.');
  let node = doc;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

function getPath(doc: Record<string, unknown>, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], doc);
}

/** Applies operations the way the Mongo writer does (MongoDB semantics), without a database. */
export function applyOps(docs: Docs, ops: readonly ReadModelOp[]): Docs {
  for (const op of ops) {
    const collection = (docs[op.collection] ??= {});
    const existing = collection[op.id];
    if (isInsert(op)) {
      // A duplicate id is a replayed insert: skipped, like MongoDB's duplicate key error.
      if (!existing) collection[op.id] = { _id: op.id, ...structuredClone(op.insert) };
      continue;
    }
    if (isPut(op)) {
      collection[op.id] = { ...(existing ?? { _id: op.id }), ...structuredClone(op.put) };
      continue;
    }
    const doc = existing ?? { _id: op.id };
    if (!existing) for (const [k, v] of Object.entries(op.setOnInsert ?? {})) setPath(doc, k, v);
    for (const [k, v] of Object.entries(op.set ?? {})) setPath(doc, k, v);
    for (const [k, v] of Object.entries(op.inc ?? {})) {
      setPath(doc, k, ((getPath(doc, k) as number | undefined) ?? 0) + v);
    }
    for (const [k, v] of Object.entries(op.max ?? {})) {
      const cur = getPath(doc, k);
      if (cur === undefined || (v as never) > (cur as never)) setPath(doc, k, v);
    }
    for (const [k, v] of Object.entries(op.min ?? {})) {
      const cur = getPath(doc, k);
      if (cur === undefined || (v as never) < (cur as never)) setPath(doc, k, v);
    }
    collection[op.id] = doc;
  }
  return docs;
}

/** given(events).when(events).then(docs) for a pure projection. */
export function projectionSpec(projection: Projection) {
  const run = (batches: readonly (readonly TrackEvent[])[]) => {
    // A stateful projection starts from empty state and evolves it batch after batch.
    const state = projection.state?.load([], 0);
    return batches.reduce<Docs>((docs, batch) => {
      const events = batch.filter((e) => projection.canHandle.includes(e.type));
      return events.length === 0 ? docs : applyOps(docs, projection.project(events, state));
    }, {});
  };
  return {
    given: (...prior: TrackEvent[][]) => ({
      when: (...batches: TrackEvent[][]) => ({
        then: (expected: (docs: Docs) => void) => expected(run([...prior, ...batches])),
      }),
    }),
    run,
  };
}
