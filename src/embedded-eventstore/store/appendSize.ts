/**
 * What one event counts for against the maximum append size: data, metadata and the event type
 * at two bytes per UTF-16 unit. That is EventStoreDB's size of an event on disk
 * (`Event.SizeOnDisk`), which both of its append paths add up as each proposed event arrives.
 */
export function storedSize(e: { type: string; data: Uint8Array; metadata: Uint8Array }): number {
  return e.data.length + e.metadata.length + 2 * e.type.length;
}
