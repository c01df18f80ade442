import { z } from 'zod';

/** `PUT /_sandbox/faults` body: rates are probabilities per request. */
export const faultsBodySchema = z
  .object({
    tenantId: z.string().min(1).optional(),
    throttleRate: z.number().min(0).max(1).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    replicationLagMs: z.number().int().min(0).max(3_600_000).optional(),
    /**
     * Probability that a user creation (POST /users) takes effect but its answer is lost (a 504
     * Gateway Timeout, as when the connection drops after Entra committed the write).
     */
    lostResponseRate: z.number().min(0).max(1).optional(),
    /** At most this many answers are lost, then lostResponseRate stops applying (unlimited when absent). */
    lostResponseLimit: z.number().int().min(0).optional(),
    /**
     * How long a Key Vault secret deletion takes to complete (read from the home tenant's faults, as
     * Key Vault's latency is): meanwhile the deleted secret is not listed, and its purge, recovery or
     * re-creation answers 409.
     */
    secretDeletionMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();

export type FaultsBody = z.infer<typeof faultsBodySchema>;

export interface FaultConfig {
  readonly throttleRate: number;
  readonly errorRate: number;
  readonly latencyMs: number;
  readonly replicationLagMs: number;
  readonly lostResponseRate: number;
  readonly secretDeletionMs: number;
  /** Answers still to lose; null when no limit was set. */
  lostResponsesLeft: number | null;
}

const NONE: FaultConfig = {
  throttleRate: 0,
  errorRate: 0,
  latencyMs: 0,
  replicationLagMs: 0,
  lostResponseRate: 0,
  secretDeletionMs: 0,
  lostResponsesLeft: 0,
};

/** What an injected fault turns a request into. */
export type InjectedFault = { kind: 'throttle' } | { kind: 'error'; status: 500 | 502 | 503 | 504 };

const ERROR_STATUSES = [503, 502, 500, 504] as const;

export class Faults {
  private global: FaultConfig = { ...NONE };
  private readonly perTenant = new Map<string, FaultConfig>();

  set(body: FaultsBody): FaultConfig {
    const config: FaultConfig = {
      throttleRate: body.throttleRate ?? 0,
      errorRate: body.errorRate ?? 0,
      latencyMs: body.latencyMs ?? 0,
      replicationLagMs: body.replicationLagMs ?? 0,
      lostResponseRate: body.lostResponseRate ?? 0,
      secretDeletionMs: body.secretDeletionMs ?? 0,
      lostResponsesLeft: body.lostResponseLimit ?? null,
    };
    if (body.tenantId === undefined) this.global = config;
    else this.perTenant.set(body.tenantId, config);
    return config;
  }

  clear(): void {
    this.global = { ...NONE };
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

  /** Draws whether the answer to a write that took effect is lost (and counts it against the limit). */
  drawLostResponse(tenantId: string | undefined, random: () => number = Math.random): boolean {
    const config = this.for(tenantId);
    if (config.lostResponseRate <= 0 || config.lostResponsesLeft === 0 || random() >= config.lostResponseRate)
      return false;
    if (config.lostResponsesLeft !== null) config.lostResponsesLeft -= 1;
    return true;
  }
}

export function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
