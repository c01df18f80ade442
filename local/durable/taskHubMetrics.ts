import type { TableClient } from '@azure/data-tables';

/**
 * Process-wide counters of what the local Durable runner costs: Table Storage round trips and
 * orchestration episodes. Read by the benchmark (bench/); never by the app. Counting is a pipeline
 * policy on the runner's own table client, so nothing else is touched. The task hub is one table
 * (see taskHubStore.ts), so round trips are broken down by kind of request instead:
 * `transaction` (an episode's commit, an instance's creation), `insert` (a message from outside),
 * `upsert` / `delete` (a single-row episode or a dropped row), `query` (reads).
 */
export interface TaskHubMetricsSnapshot {
  readonly roundTrips: number;
  /** By kind of request (the name is kept for the benchmark's reader). */
  readonly roundTripsByTable: Readonly<Record<string, number>>;
  readonly episodes: number;
  readonly activities: number;
}

const byTable = new Map<string, number>();
let episodes = 0;
let activities = 0;

function requestKind(method: string, url: string): string {
  if (url.includes('$batch')) return 'transaction';
  switch (method) {
    case 'GET':
      return 'query';
    case 'POST':
      return url.includes('/Tables') ? 'createTable' : 'insert';
    case 'DELETE':
      return 'delete';
    default:
      return 'upsert';
  }
}

export function countRoundTrips(client: TableClient): void {
  client.pipeline.addPolicy({
    name: 'taskHubRoundTripCounter',
    sendRequest: (request, next) => {
      const kind = requestKind(request.method, request.url);
      byTable.set(kind, (byTable.get(kind) ?? 0) + 1);
      return next(request);
    },
  });
}

export function countEpisode(): void {
  episodes += 1;
}

export function countActivity(): void {
  activities += 1;
}

export function taskHubMetrics(): TaskHubMetricsSnapshot {
  const roundTripsByTable = Object.fromEntries(byTable);
  return { roundTrips: [...byTable.values()].reduce((a, b) => a + b, 0), roundTripsByTable, episodes, activities };
}
