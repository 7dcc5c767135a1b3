import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import type { ResolvedEvent } from '@eventstore/db-client';
import { startTempServer } from '../testing/tempServer';

/**
 * The server a conformance suite runs against: a real EventStoreDB when
 * EVENTSTORE_CONFORMANCE_URL is set (e.g. `esdb://localhost:2113?tls=false`, a single insecure
 * node), otherwise a fresh embedded server. The suites only use the official client (and its
 * generated gRPC stubs, for what the client API cannot express) and unique stream names, so the
 * same assertions hold on both.
 */
export interface Target {
  client: EventStoreDBClient;
  embedded: boolean;
  /** `host:port` of the server, for tests that speak the wire protocol themselves (plain text). */
  address: string;
  /** A stream name no other test uses: `<prefix><name>`. */
  stream(name: string): string;
  prefix: string;
  close(): Promise<void>;
}

export async function connectTarget(): Promise<Target> {
  const prefix = `conf${randomUUID().slice(0, 8)}-`;
  const url = process.env.EVENTSTORE_CONFORMANCE_URL;
  if (url) {
    const client = EventStoreDBClient.connectionString(url);
    return {
      client,
      embedded: false,
      address: new URL(url.replace(/^esdb(\+discover)?:/, 'http:')).host,
      prefix,
      stream: (n) => `${prefix}${n}`,
      close: () => client.dispose(),
    };
  }
  const t = await startTempServer();
  return {
    client: t.client,
    embedded: true,
    address: `127.0.0.1:${t.server.port}`,
    prefix,
    stream: (n) => `${prefix}${n}`,
    close: () => t.dispose(),
  };
}

export const ev = (type: string, data: Record<string, unknown> = {}, id?: string) =>
  jsonEvent({ type, data, ...(id ? { id } : {}) });

export async function collect(it: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

export const revisions = (es: ResolvedEvent[]): bigint[] => es.map((e) => e.event!.revision);
export const types = (es: ResolvedEvent[]): string[] => es.map((e) => e.event!.type);
