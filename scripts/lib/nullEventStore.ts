/**
 * A server that speaks the same protocol but stores nothing: BatchAppend decodes each request and
 * answers success at once (no disk, no index); Read streams one pre-encoded event over and over.
 * The benchmark runs the same workloads against it, at the same moment, to show what the protocol
 * and the client cost on this machine under its current load — the ceiling for the real server.
 * Run as a child: prints `{"port":N}` on stdout.
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerDuplexStream, ServerWritableStream, ServiceDefinition } from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { AllStreamPosition, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { BatchAppendResp, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { decodeBatchAppendReq } from '../../src/embedded-eventstore/grpc/batchAppendDecoder';
import type { BatchAppendRequest } from '../../src/embedded-eventstore/grpc/batchAppendDecoder';
import { encodeEventResp } from '../../src/embedded-eventstore/grpc/readRespEncoder';
import { serverFeaturesHandler } from '../../src/embedded-eventstore/grpc/serverFeatures';
import { decodeRecord, recordSize, writeRecord } from '../../src/embedded-eventstore/log/record';

function sampleEvent(): Buffer {
  const event = {
    id: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
    type: 'TrackPlayed',
    contentType: 'application/json',
    data: Buffer.from(
      JSON.stringify({
        trackId: 't1',
        listenerId: 'listener-1',
        sessionId: 'session-1',
        occurredAt: '2026-11-26T12:00:00.000Z',
        receivedAt: '2026-11-26T12:00:00.100Z',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
        ipHash: 'a1b2c3d4e5f6',
        source: 'playlist',
        playlistId: 'pl-42',
        durationSeconds: 187,
        completionRate: 93.5,
        replayed: false,
      }),
    ),
    metadata: Buffer.alloc(0),
  };
  const buf = Buffer.alloc(recordSize('bench', event));
  writeRecord(buf, 0, { stream: 'bench', revision: 1, created: Date.now(), flags: 0, event });
  return encodeEventResp(decodeRecord(buf, 0, 1000), false);
}

async function main(): Promise<void> {
  const eventResp = sampleEvent();
  let position = 100;
  const server = new Server();
  const streams = {
    ...StreamsService,
    batchAppend: { ...StreamsService.batchAppend, requestDeserialize: decodeBatchAppendReq },
    read: {
      ...StreamsService.read,
      responseSerialize: (m: Buffer | ReadResp) =>
        Buffer.isBuffer(m) ? m : Buffer.from(m.serializeBinary()),
    },
  } as unknown as ServiceDefinition;
  server.addService(streams, {
    batchAppend: (call: ServerDuplexStream<BatchAppendRequest, BatchAppendResp>) => {
      const counts = new Map<string, number>();
      call.on('data', (req: BatchAppendRequest) => {
        const key = req.correlationId.toString('latin1');
        counts.set(key, (counts.get(key) ?? 0) + req.events.length);
        if (!req.isFinal) return;
        const resp = new BatchAppendResp();
        resp.setCorrelationId(UUID.deserializeBinary(req.correlationId));
        const success = new BatchAppendResp.Success();
        success.setCurrentRevision(String(counts.get(key)! - 1));
        const pos = new AllStreamPosition();
        position += 300 * counts.get(key)!;
        pos.setCommitPosition(String(position));
        pos.setPreparePosition(String(position));
        success.setPosition(pos);
        resp.setSuccess(success);
        counts.delete(key);
        call.write(resp);
      });
      call.on('end', () => call.end());
    },
    read: async (call: ServerWritableStream<ReadReq, unknown>) => {
      const o = call.request.getOptions()!;
      const subscription = o.hasSubscription();
      const count = subscription ? Infinity : Number(o.getCount());
      let closed = false;
      call.on('cancelled', () => (closed = true));
      if (subscription) {
        const c = new ReadResp();
        c.setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId('null'));
        call.write(c);
      }
      for (let i = 0; i < count && !closed; i++) {
        if (!call.write(eventResp)) await new Promise((r) => call.once('drain', r));
      }
      if (!closed) call.end();
    },
    append: () => undefined,
    delete: () => undefined,
    tombstone: () => undefined,
  });
  server.addService(ServerFeaturesService as unknown as ServiceDefinition, {
    getSupportedMethods: serverFeaturesHandler(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.once('SIGTERM', () => server.forceShutdown());
}

void main();
