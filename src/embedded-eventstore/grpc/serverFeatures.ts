import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';

/** Version reported to clients: the release line whose gRPC behaviour we reproduce. */
export const SERVER_VERSION = '23.10.0';

const STREAMS = 'event_store.client.streams.Streams';

/**
 * ServerFeatures.GetSupportedMethods. The client lower-cases `/service/method` and, among other
 * things, uses BatchAppend for appends only when that path is listed here.
 */
const methods: [service: string, method: string, features: string[]][] = [
  [STREAMS, 'Read', ['position', 'events']],
  [STREAMS, 'Append', []],
  [STREAMS, 'BatchAppend', []],
  [STREAMS, 'Delete', []],
  [STREAMS, 'Tombstone', []],
  ['event_store.client.server_features.ServerFeatures', 'GetSupportedMethods', []],
];

export function serverFeaturesHandler() {
  return (
    _call: ServerUnaryCall<Empty, SupportedMethods>,
    callback: sendUnaryData<SupportedMethods>,
  ): void => {
    const resp = new SupportedMethods();
    resp.setEventStoreServerVersion(SERVER_VERSION);
    resp.setMethodsList(
      methods.map(([service, method, features]) => {
        const m = new SupportedMethod();
        m.setServiceName(service);
        m.setMethodName(method);
        m.setFeaturesList(features);
        return m;
      }),
    );
    callback(null, resp);
  };
}
