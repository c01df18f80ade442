/** Where use cases take the time from: injected, so a test can set it (the production one: src/adapters/systemClock.ts). */
export interface Clock {
  now(): Date;
}
