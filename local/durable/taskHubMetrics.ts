import type { TableClient } from '@azure/data-tables';

/**
 * Process-wide counters of what the local Durable runner costs: Table Storage round trips per task
 * hub table and orchestration episodes. Read by the benchmark (bench/); never by the app. Counting
 * is a pipeline policy on the runner's own table clients, so nothing else is touched.
 */
export interface TaskHubMetricsSnapshot {
  readonly roundTrips: number;
  readonly roundTripsByTable: Readonly<Record<string, number>>;
  readonly episodes: number;
  readonly activities: number;
}

const byTable = new Map<string, number>();
let episodes = 0;
let activities = 0;

export function countRoundTrips(client: TableClient, table: string): void {
  client.pipeline.addPolicy({
    name: 'taskHubRoundTripCounter',
    sendRequest: (request, next) => {
      byTable.set(table, (byTable.get(table) ?? 0) + 1);
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
