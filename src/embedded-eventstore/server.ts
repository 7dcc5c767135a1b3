import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { appendHandler } from './grpc/appendHandler';
import { decodeBatchAppendReq } from './grpc/batchAppendDecoder';
import { batchAppendHandler, DEFAULT_WRITE_TIMEOUT_MS } from './grpc/batchAppendHandler';
import { deleteHandler, tombstoneHandler } from './grpc/deleteHandlers';
import { readHandler } from './grpc/readHandler';
import { serverFeaturesHandler } from './grpc/serverFeatures';
import { newReadStats } from './grpc/sink';
import type { ReadStats } from './grpc/sink';
import { Store } from './store/eventStore';
import type { StoreLogger } from './store/types';
import { silentLogger } from './store/types';

export interface EmbeddedEventStoreOptions {
  dataDir: string;
  /** 0 = a random free port. Default 2113. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: StoreLogger;
  /** Bytes per log segment file (default 256 MiB; tests use small ones). */
  segmentSize?: number;
  /** Largest append in stored bytes, type included (default 1 MiB, as the real server). */
  maxAppendSize?: number;
  /**
   * Batch read and subscription events, and BatchAppend answers, into direct HTTP/2 writes
   * (grpc/sink.ts; default true). false sends one `call.write()` per message, the path used when
   * grpc-js internals change.
   */
  framedReads?: boolean;
  /**
   * Longest a BatchAppend may take from its first message to its last, whatever the client's
   * deadline (EventStoreDB's `WriteTimeoutMs`, default 2000); past it the append is answered Timeout.
   */
  writeTimeoutMs?: number;
}

export interface EmbeddedEventStore {
  port: number;
  /** e.g. `esdb://127.0.0.1:2113?tls=false` */
  connectionString: string;
  close(): Promise<void>;
}

/** What `startEmbeddedEventStore` returns: the handle plus live read-side counters (for tests). */
export type EmbeddedEventStoreWithStats = EmbeddedEventStore & { stats: ReadStats };

/**
 * Read responses and BatchAppend answers are pre-encoded Buffers (readRespEncoder.ts,
 * batchAppendResp.ts), so they get serializers that pass Buffers through, and BatchAppend
 * requests are decoded by hand (batchAppendDecoder.ts); everything else is the client's own
 * generated definition. Also used by the benchmark's protocol-only server.
 */
export const streamsDefinition = {
  ...StreamsService,
  batchAppend: {
    ...StreamsService.batchAppend,
    requestDeserialize: decodeBatchAppendReq,
    responseSerialize: (m: Buffer) => m, // answers are encoded by hand (batchAppendResp.ts)
  },
  read: {
    ...StreamsService.read,
    responseSerialize: (m: Buffer | { serializeBinary(): Uint8Array }) =>
      Buffer.isBuffer(m) ? m : Buffer.from(m.serializeBinary()),
  },
} as unknown as ServiceDefinition;

/** Starts a gRPC server speaking EventStoreDB's protocol over a durable log in `dataDir`. */
export async function startEmbeddedEventStore(
  opts: EmbeddedEventStoreOptions,
): Promise<EmbeddedEventStoreWithStats> {
  const logger = opts.logger ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const store = await Store.open({
    dataDir: opts.dataDir,
    logger,
    segmentSize: opts.segmentSize,
    maxAppendSize: opts.maxAppendSize,
  });
  const stats = newReadStats();
  const server = new Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
  });
  disableNagle(server);
  const streams: UntypedServiceImplementation = {
    read: readHandler(store, stats, opts.framedReads ?? true),
    append: appendHandler(store),
    batchAppend: batchAppendHandler(store, {
      framed: opts.framedReads ?? true,
      writeTimeoutMs: opts.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS,
    }),
    delete: deleteHandler(store),
    tombstone: tombstoneHandler(store),
  };
  server.addService(streamsDefinition, streams);
  server.addService(ServerFeaturesService as unknown as ServiceDefinition, {
    getSupportedMethods: serverFeaturesHandler(),
  });
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(
        `${host}:${opts.port ?? 2113}`,
        ServerCredentials.createInsecure(),
        (err, p) => (err ? reject(err) : resolve(p)),
      );
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  logger.info(
    { port, dataDir: opts.dataDir, events: store.index.all.count },
    'embedded event store listening',
  );
  let closing: Promise<void> | null = null;
  return {
    port,
    connectionString: `esdb://${host}:${port}?tls=false`,
    stats,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          // Subscriptions never end on their own: drop their connections at once, as a real
          // server going down does (clients see UNAVAILABLE/CANCELLED and resubscribe).
          if (stats.activeSubscriptions > 0) server.forceShutdown();
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2000);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        await store.close();
        logger.info({ port }, 'embedded event store stopped');
      })();
      return closing;
    },
  };
}

/**
 * grpc-js sets TCP_NODELAY on client sockets but not on server sockets. Without it, a read or a
 * subscription that writes many small messages stalls on Nagle's algorithm against the peer's
 * delayed ACKs (measured in-process: wall time 1.5x the CPU time without it, equal with it). The http2 server takes net.Server
 * options, and grpc-js builds them in `commonServerOptions` before binding, so we add `noDelay`
 * there; if a future grpc-js renames the field, this silently does nothing.
 */
export function disableNagle(server: Server): void {
  const internals = server as unknown as { commonServerOptions?: Record<string, unknown> };
  if (internals.commonServerOptions) internals.commonServerOptions.noDelay = true;
}
