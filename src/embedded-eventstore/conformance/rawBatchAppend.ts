import { randomUUID } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { Empty as PbEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { BatchAppendReq } from '@eventstore/db-client/generated/streams_pb';
import type { BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';

export interface RawPart {
  /** Present on an append's first message only. */
  stream?: string;
  deadline?: Date;
  /** Sizes of the data of binary events of type `T`. */
  events?: number[];
  isFinal: boolean;
}

/**
 * One BatchAppend call driven message by message with the client's generated stubs: the client
 * API always sends an append whole, so what a server does between its messages (a deadline that
 * passes, a size limit crossed by the first part) can only be seen from here.
 */
export class RawBatchAppend {
  private readonly client: StreamsClient;
  private readonly call: ClientDuplexStream<BatchAppendReq, BatchAppendResp>;
  private readonly answers: BatchAppendResp[] = [];
  private waiter: (() => void) | null = null;

  constructor(address: string) {
    this.client = new StreamsClient(address, credentials.createInsecure());
    this.call = this.client.batchAppend();
    this.call.on('data', (r: BatchAppendResp) => {
      this.answers.push(r);
      this.waiter?.();
    });
    this.call.on('error', () => undefined);
  }

  send(correlationId: string, part: RawPart): void {
    const req = new BatchAppendReq();
    const cid = new UUID();
    cid.setString(correlationId);
    req.setCorrelationId(cid);
    if (part.stream !== undefined) {
      const o = new BatchAppendReq.Options();
      const sid = new StreamIdentifier();
      sid.setStreamName(Buffer.from(part.stream, 'utf8'));
      o.setStreamIdentifier(sid);
      o.setAny(new PbEmpty());
      if (part.deadline) o.setDeadline(Timestamp.fromDate(part.deadline));
      req.setOptions(o);
    }
    for (const size of part.events ?? []) {
      const m = new BatchAppendReq.ProposedMessage();
      const id = new UUID();
      id.setString(randomUUID());
      m.setId(id);
      m.getMetadataMap().set('type', 'T');
      m.getMetadataMap().set('content-type', 'application/octet-stream');
      m.setData(Buffer.alloc(size, 1));
      req.addProposedMessages(m);
    }
    req.setIsFinal(part.isFinal);
    this.call.write(req);
  }

  /** The next answer, or null when none came within `ms`. */
  async next(ms: number): Promise<BatchAppendResp | null> {
    const end = Date.now() + ms;
    while (this.answers.length === 0) {
      const left = end - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.answers.shift()!;
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}

/** The packed detail type of a failed answer, e.g. `event_store.client.Timeout`. */
export const errorType = (r: BatchAppendResp | null): string | undefined =>
  r?.getError()?.getDetails()?.getTypeName();
