export { StatsCollector } from './statsCollector';
export type {
  CollectorStats,
  QueuedEvent,
  StatsCollectorOptions,
  TrackEvent,
} from './statsCollector';
export { browserTransport } from './transport';
export type { SendResult, Transport } from './transport';
export { browserStore, memoryStore } from './persistence';
export type { Store } from './persistence';
export { onPageHide } from './lifecycle';
export type { OnUnload } from './lifecycle';
export { uuid } from './ids';
