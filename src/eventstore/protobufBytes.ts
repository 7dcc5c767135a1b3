import { Buffer } from 'node:buffer';
import { Message } from 'google-protobuf';

/**
 * Native base64 for the official client's appends.
 *
 * `@eventstore/db-client` (6.2) hands each event's JSON data and metadata to google-protobuf as a
 * base64 string (`setData(Buffer.from(json).toString('base64'))`). The generated encoder turns
 * that string back into bytes with `jspb.Message.bytesAsU8`, which decodes base64 in JavaScript,
 * one callback per byte, and does so twice per event: once when the client sizes its batch
 * (`serializeBinary().length`) and once when it sends it. In the ingestion profile that decoding
 * was ~15% of the writer thread, plus the garbage it made.
 *
 * This replaces `Message.bytesAsU8` (the generated code looks it up at each call) with one that
 * lets Node decode a string (`Buffer.from(value, 'base64')`); byte arrays and empty values go to
 * google-protobuf's own as before. The encoded message is the same bytes: the client only ever passes base64 it made with
 * `Buffer#toString('base64')` (protobufBytes.unit.spec.ts compares both encoders). Installed
 * once per process by the module that connects the client (esdbEventStore.ts).
 */
export function installNativeBase64Bytes(): void {
  const message = Message as typeof Message & { [installed]?: true };
  if (message[installed]) return;
  const bytesAsU8 = message.bytesAsU8.bind(message);
  message.bytesAsU8 = (value) =>
    typeof value === 'string' ? base64Bytes(value) : bytesAsU8(value);
  message[installed] = true;
}

const installed = Symbol.for('music-stats.nativeBase64Bytes');

/** The bytes of a base64 string, as a plain Uint8Array view (google-protobuf keeps those as is). */
export function base64Bytes(text: string): Uint8Array {
  // A bytes field left empty reads as '' (events without custom metadata, on every read).
  if (text.length === 0) return new Uint8Array(0);
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
