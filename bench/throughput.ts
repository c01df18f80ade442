import { spawn } from 'node:child_process';
import { requestPartsOf } from './apiProfile';
import { startCpuProfile, type CpuProfileSummary, type Share } from './cpuProfile';
import { callJson } from './http';

/**
 * API throughput: autocannon in a second process (so the load generator does not share the event
 * loop of the stack it measures), a fixed number of connections for a fixed time.
 */
export interface ThroughputResult {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly note: string | null;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /**
   * CPU milliseconds this process (the app's: the load comes from another process) used per request
   * answered, idle CPU included (at thousands of requests per second it is negligible).
   */
  readonly appCpuMsPerRequest: number;
  /** With `--cpu-profile`: where the app's CPU went while this endpoint was under load. */
  readonly profile: (CpuProfileSummary & { readonly requestParts: readonly Share[] }) | null;
}

export interface Endpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly note?: string;
}

interface AutocannonJson {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  duration: number;
}

export async function runThroughput(
  apiBaseUrl: string,
  endpoint: Endpoint,
  connections: number,
  seconds: number,
  profile?: { readonly dir: string; readonly stem: string },
): Promise<ThroughputResult> {
  const args = [
    require.resolve('autocannon/autocannon.js'),
    '-j',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-m',
    endpoint.method,
  ];
  if (endpoint.token !== undefined) args.push('-H', `Authorization=Bearer ${endpoint.token}`);
  if (endpoint.body !== undefined)
    args.push('-H', 'Content-Type=application/json', '-b', JSON.stringify(endpoint.body));
  args.push(`${apiBaseUrl}${endpoint.path}`);
  const profiling = profile === undefined ? undefined : await startCpuProfile();
  const cpuBefore = process.cpuUsage();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`autocannon exited with ${code}: ${stderr.slice(-500)}`)),
    );
  });
  const cpu = process.cpuUsage(cpuBefore);
  const summary = profile === undefined ? undefined : await profiling?.stop(profile.dir, profile.stem);
  const result = JSON.parse(output) as AutocannonJson;
  return {
    name: endpoint.name,
    method: endpoint.method,
    path: endpoint.path,
    note: endpoint.note ?? null,
    connections,
    seconds,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    appCpuMsPerRequest:
      result.requests.total === 0
        ? 0
        : Math.round(((cpu.user + cpu.system) / 1000 / result.requests.total) * 1000) / 1000,
    profile: summary === undefined ? null : { ...summary, requestParts: await requestPartsOf(summary.file) },
  };
}

/**
 * `POST /entitlements/check` when the API has it (and it answers 200 to this caller), otherwise
 * `GET /health`, saying why.
 */
export async function entitlementCheckOrHealth(apiBaseUrl: string, token: string, body: unknown): Promise<Endpoint> {
  const probe = await callJson(`${apiBaseUrl}/entitlements/check`, 'POST', { token, body });
  if (probe.status === 200)
    return { name: 'entitlement check', method: 'POST', path: '/entitlements/check', token, body };
  return {
    name: 'health',
    method: 'GET',
    path: '/health',
    note: `POST /api/entitlements/check answered ${probe.status} (${probe.status === 404 ? 'not built yet' : JSON.stringify(probe.body).slice(0, 120)}): measured GET /api/health instead`,
  };
}
