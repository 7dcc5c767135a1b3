export {
  processCpuMs,
  processRssMb,
  spawnEventStore,
} from '../../src/embedded-eventstore/testing/childProcess';
export type { ChildEventStore } from '../../src/embedded-eventstore/testing/childProcess';
