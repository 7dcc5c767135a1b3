/**
 * A server that speaks the same protocol but stores nothing: BatchAppend decodes each request and
 * answers success at once (no disk, no index); Read streams one event over and over. It uses the
 * embedded server's own wire code (service definition, request decoder, answer and event encoders,
 * batched HTTP/2 writes), so the difference between the two is the cost of storing and reading
 * the log. The benchmark runs the same workloads against it, at the same moment, to show what the
 * protocol and the client cost on this machine under its current load — the ceiling for the real
 * server. Run as a child: prints `{"port":N}` on stdout.
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerDuplexStream, ServerWritableStream, ServiceDefinition } from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { BatchAppendRequest } from '../../src/embedded-eventstore/grpc/batchAppendDecoder';
import { encodeBatchAppendSuccess } from '../../src/embedded-eventstore/grpc/batchAppendResp';
import { serverFeaturesHandler } from '../../src/embedded-eventstore/grpc/serverFeatures';
import { FramedResponses, Sink } from '../../src/embedded-eventstore/grpc/sink';
import { decodeRecord, recordSize, writeRecord } from '../../src/embedded-eventstore/log/record';
import type { DecodedRecord } from '../../src/embedded-eventstore/log/record';
import { disableNagle, streamsDefinition } from '../../src/embedded-eventstore/server';
import { benchEventData } from './childEventStore';

/** One stored-looking record of the benchmark's event, kept in memory. */
function sampleRecord(): DecodedRecord {
  const event = {
    id: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
    type: 'TrackPlayed',
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(benchEventData(1))),
    metadata: Buffer.alloc(0),
  };
  const buf = Buffer.alloc(recordSize('bench', event));
  writeRecord(buf, 0, { stream: 'bench', revision: 1, created: Date.now(), flags: 0, event });
  return decodeRecord(buf, 0, 1000);
}

async function main(): Promise<void> {
  const record = sampleRecord();
  let position = 100;
  const server = new Server();
  disableNagle(server);
  server.addService(streamsDefinition, {
    batchAppend: (call: ServerDuplexStream<BatchAppendRequest, Buffer>) => {
      const counts = new Map<string, number>();
      const responses = new FramedResponses(call, true);
      call.on('data', (req: BatchAppendRequest) => {
        const key = req.correlationId.toString('latin1');
        const count = (counts.get(key) ?? 0) + req.events.length;
        if (!req.isFinal) {
          counts.set(key, count);
          return;
        }
        counts.delete(key);
        position += 300 * count;
        const o = req.options!;
        responses.send(
          encodeBatchAppendSuccess(
            Buffer.from(req.correlationId),
            Buffer.from(o.stream),
            o.expected,
            count - 1,
            position,
          ),
        );
      });
      call.on('end', () => {
        responses.flush();
        call.end();
      });
    },
    read: async (call: ServerWritableStream<ReadReq, unknown>) => {
      const o = call.request.getOptions()!;
      const subscription = o.hasSubscription();
      const count = subscription ? Infinity : Number(o.getCount());
      const sink = new Sink(call);
      if (subscription) {
        const c = new ReadResp();
        c.setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId('null'));
        if (!(await sink.write(c))) return;
      }
      for (let i = 0; i < count; i++) {
        if (!sink.event(record, false) && !(await sink.ready())) return;
      }
      sink.end();
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
