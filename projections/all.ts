import { trackCounters } from './trackCounters';
import { trackRollups } from './trackRollups';
import type { Projection } from './types';

/** Every projection the service runs: one checkpoint and one projector lease each. */
export const allProjections: readonly Projection[] = [trackCounters, trackRollups];
