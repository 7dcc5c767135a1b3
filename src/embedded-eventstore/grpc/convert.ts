import { Metadata, status } from '@grpc/grpc-js';
import type { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import type { NewEvent } from '../log/record';
import type { ExpectedRevision } from '../store/types';
import type { GrpcError } from './errors';

/** Thrown while decoding a request; handlers turn it into the call's status. */
export class RequestError extends Error {
  constructor(readonly grpc: GrpcError) {
    super(grpc.details);
  }
}

function badRequest(details: string, meta: Record<string, string> = {}): RequestError {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(meta)) metadata.set(k, v);
  return new RequestError({ code: status.INVALID_ARGUMENT, details, metadata });
}

export function streamName(id: StreamIdentifier | undefined): string {
  if (!id) throw badRequest('stream identifier is required');
  return Buffer.from(id.getStreamName_asU8()).toString('utf8');
}

/** Parses a 64-bit field sent as a decimal string; values above 2^53 are clamped (never reached). */
export function u64(s: string | number): number {
  const n = typeof s === 'number' ? s : Number(s);
  if (!Number.isFinite(n) || n < 0) throw badRequest(`invalid 64-bit value ${s}`);
  return n;
}

export function uuidBytes(uuid: UUID | undefined): Buffer {
  if (!uuid) throw badRequest('event id is required');
  if (uuid.hasStructured()) {
    const st = uuid.getStructured()!;
    const b = Buffer.allocUnsafe(16);
    b.writeBigInt64BE(BigInt(st.getMostSignificantBits()), 0);
    b.writeBigInt64BE(BigInt(st.getLeastSignificantBits()), 8);
    return b;
  }
  const hex = uuid.getString().replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw badRequest(`invalid event id ${uuid.getString()}`);
  return Buffer.from(hex, 'hex');
}

interface ProposedMessageLike {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

export function toNewEvent(m: ProposedMessageLike): NewEvent {
  const meta = m.getMetadataMap();
  const type = meta.get('type');
  const contentType = meta.get('content-type');
  const missing = [
    type === undefined ? 'type' : null,
    contentType === undefined ? 'content-type' : null,
  ].filter((x): x is string => x !== null);
  if (missing.length > 0) {
    throw badRequest(`Required metadata properties are missing: ${missing.join(', ')}`, {
      exception: 'missing-required-metadata-property',
      'required-metadata-properties': missing.join(','),
    });
  }
  return {
    id: uuidBytes(m.getId()),
    type: type!,
    contentType: contentType!,
    data: m.getData_asU8(),
    metadata: m.getCustomMetadata_asU8(),
  };
}

interface ExpectedLike {
  hasAny(): boolean;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
}

export function expectedFrom(o: ExpectedLike, revision: () => string): ExpectedRevision {
  if (o.hasAny()) return { kind: 'any' };
  if (o.hasNoStream()) return { kind: 'no_stream' };
  if (o.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'revision', revision: u64(revision()) };
}
