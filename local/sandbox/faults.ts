import { z } from 'zod';

/** `PUT /_sandbox/faults` body: rates are probabilities per request. */
export const faultsBodySchema = z
  .object({
    tenantId: z.string().min(1).optional(),
    throttleRate: z.number().min(0).max(1).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    replicationLagMs: z.number().int().min(0).max(3_600_000).optional(),
  })
  .strict();

export type FaultsBody = z.infer<typeof faultsBodySchema>;

export interface FaultConfig {
  readonly throttleRate: number;
  readonly errorRate: number;
  readonly latencyMs: number;
  readonly replicationLagMs: number;
}

const NONE: FaultConfig = { throttleRate: 0, errorRate: 0, latencyMs: 0, replicationLagMs: 0 };

/** What an injected fault turns a request into. */
export type InjectedFault = { kind: 'throttle' } | { kind: 'error'; status: 500 | 502 | 503 | 504 };

const ERROR_STATUSES = [503, 502, 500, 504] as const;

export class Faults {
  private global: FaultConfig = NONE;
  private readonly perTenant = new Map<string, FaultConfig>();

  set(body: FaultsBody): FaultConfig {
    const config: FaultConfig = {
      throttleRate: body.throttleRate ?? 0,
      errorRate: body.errorRate ?? 0,
      latencyMs: body.latencyMs ?? 0,
      replicationLagMs: body.replicationLagMs ?? 0,
    };
    if (body.tenantId === undefined) this.global = config;
    else this.perTenant.set(body.tenantId, config);
    return config;
  }

  clear(): void {
    this.global = NONE;
    this.perTenant.clear();
  }

  /** A tenant's own faults win over the global ones. */
  for(tenantId: string | undefined): FaultConfig {
    return (tenantId === undefined ? undefined : this.perTenant.get(tenantId)) ?? this.global;
  }

  /** Draws whether this request fails, and how. */
  draw(tenantId: string | undefined, random: () => number = Math.random): InjectedFault | undefined {
    const config = this.for(tenantId);
    if (config.throttleRate > 0 && random() < config.throttleRate) return { kind: 'throttle' };
    if (config.errorRate > 0 && random() < config.errorRate) {
      const status = ERROR_STATUSES[Math.floor(random() * ERROR_STATUSES.length)] ?? 503;
      return { kind: 'error', status };
    }
    return undefined;
  }
}

export function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
