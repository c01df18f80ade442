import type { Clock } from '../app/ports';

/** The machine's clock: the Clock port in production (tests pass their own). */
export const systemClock: Clock = { now: () => new Date() };
