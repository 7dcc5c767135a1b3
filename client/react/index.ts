export { StatsProvider, StatsContext } from './StatsProvider';
export type { StatsProviderProps, StatsContextValue } from './StatsProvider';
export { useStats } from './useStats';
export type { StatsScope } from './useStats';
export { PlayClock } from './playClock';
export type { MeasuredPlay, PlayStartInfo } from './playClock';
