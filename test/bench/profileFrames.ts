import type { Profiler } from 'node:inspector';

/** Where the profiled app's files sit in these hand-made profiles. */
export const ROOT = 'file:///work/app';

/** A call frame of a hand-made CPU profile. */
export const frame = (functionName: string, url: string): Profiler.ProfileNode['callFrame'] => ({
  functionName,
  url,
  scriptId: '0',
  lineNumber: 9,
  columnNumber: 0,
});
