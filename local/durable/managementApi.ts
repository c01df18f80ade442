import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, writeJson, writePlain } from '../host/httpAdapter';
import { errorMessage } from '../host/logging';
import { instanceManagementPayload, WEBHOOK_PATH } from './clientBinding';
import { toStatusJson } from './instanceStatus';
import {
  InstanceAlreadyExistsError,
  InvalidInstanceIdError,
  OrchestratorNotFoundError,
  type DeliveryResult,
  type DurableRunner,
} from './runner';
import { isTerminal, RUNTIME_STATUSES, type InstanceQuery, type RuntimeStatus } from './taskHubStore';

const MANAGEMENT_BODY_LIMIT = 16 * 1024 * 1024;

export interface ManagementApiOptions {
  readonly runner: () => Promise<DurableRunner>;
  readonly baseUrl: () => string;
  readonly taskHub: string;
}

function flag(url: URL, name: string, fallback: boolean): boolean {
  const value = url.searchParams.get(name);
  return value === null ? fallback : value.toLowerCase() === 'true';
}

function parseDate(url: URL, name: string): Date | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new BadRequest(`${name} is not a valid date: ${value}`);
  return date;
}

class BadRequest extends Error {}

/** Body text as JSON text: empty → no value; anything else must parse as JSON. */
function jsonBodyText(body: Buffer): string | null {
  const text = body.toString('utf8');
  if (text.trim() === '') return null;
  try {
    JSON.parse(text);
  } catch {
    throw new BadRequest('The request body is not valid JSON');
  }
  return text;
}

const isRuntimeStatus = (s: string): s is RuntimeStatus => (RUNTIME_STATUSES as readonly string[]).includes(s);

/**
 * The Durable extension's HTTP management API under `/runtime/webhooks/durabletask/`, the subset
 * `df.getClient()` calls when `rpcBaseUrl` is set (durable-functions 3.x).
 */
export class ManagementApi {
  constructor(private readonly options: ManagementApiOptions) {}

  handles(url: URL): boolean {
    return url.pathname === WEBHOOK_PATH || url.pathname.startsWith(`${WEBHOOK_PATH}/`);
  }

  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      await this.route(req, res, url);
    } catch (error) {
      if (
        error instanceof BadRequest ||
        error instanceof InvalidInstanceIdError ||
        error instanceof OrchestratorNotFoundError
      ) {
        writeJson(res, 400, { Message: error.message });
      } else if (error instanceof InstanceAlreadyExistsError) {
        writeJson(res, 409, { Message: error.message });
      } else {
        writeJson(res, 500, { Message: errorMessage(error) });
      }
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = url.pathname
      .slice(WEBHOOK_PATH.length)
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
    const runner = await this.options.runner();
    const [head, id, action, eventName] = parts;

    if (head === 'orchestrators' && id !== undefined && method === 'POST' && parts.length <= 3) {
      const inputText = jsonBodyText(await readBody(req, MANAGEMENT_BODY_LIMIT));
      const instanceId = await runner.startNew(id, action, inputText);
      const payload = instanceManagementPayload(this.options.baseUrl(), this.options.taskHub, instanceId);
      writeJson(res, 202, payload, { location: payload.statusQueryGetUri ?? '' });
      return;
    }
    if (head !== 'instances') {
      writePlain(res, 404);
      return;
    }
    if (id === undefined) {
      if (method === 'GET') return this.list(res, url, runner, req);
      if (method === 'DELETE') return this.purgeBy(res, url, runner);
      writePlain(res, 405);
      return;
    }
    if (action === undefined) {
      if (method === 'GET') return this.status(res, url, runner, id);
      if (method === 'DELETE') {
        const deleted = await runner.purge(id);
        if (deleted) writeJson(res, 200, { instancesDeleted: 1 });
        else writePlain(res, 404);
        return;
      }
      writePlain(res, 405);
      return;
    }
    if (method !== 'POST') {
      writePlain(res, 405);
      return;
    }
    if (action === 'raiseEvent' && eventName !== undefined && parts.length === 4) {
      const inputText = jsonBodyText(await readBody(req, MANAGEMENT_BODY_LIMIT));
      return this.delivered(res, await runner.raiseEvent(id, eventName, inputText));
    }
    if (action === 'terminate' && parts.length === 3) {
      return this.delivered(res, await runner.terminate(id, url.searchParams.get('reason')));
    }
    writeJson(res, 501, { Message: `The local Durable runner does not implement '${action}'` });
  }

  private delivered(res: ServerResponse, result: DeliveryResult): void {
    if (result === 'accepted') writePlain(res, 202);
    else if (result === 'notFound') writePlain(res, 404);
    else writePlain(res, 410);
  }

  private async status(res: ServerResponse, url: URL, runner: DurableRunner, instanceId: string): Promise<void> {
    const found = await runner.getInstance(instanceId);
    if (found === undefined) {
      writePlain(res, 404);
      return;
    }
    const { instance, history } = found;
    const options = {
      showInput: flag(url, 'showInput', true),
      showHistory: flag(url, 'showHistory', false),
      showHistoryOutput: flag(url, 'showHistoryOutput', false),
    };
    const body = toStatusJson(instance, options, history);
    if (!isTerminal(instance.runtimeStatus)) {
      writeJson(res, 202, body, { location: url.toString(), 'retry-after': '10' });
      return;
    }
    const failedAs500 = instance.runtimeStatus === 'Failed' && flag(url, 'returnInternalServerErrorOnFailure', false);
    writeJson(res, failedAs500 ? 500 : 200, body);
  }

  private query(url: URL, req?: IncomingMessage): InstanceQuery {
    const statuses = (url.searchParams.get('runtimeStatus') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = statuses.filter((s) => !isRuntimeStatus(s));
    if (unknown.length > 0) throw new BadRequest(`Unknown runtimeStatus: ${unknown.join(', ')}`);
    const topText = url.searchParams.get('top');
    const top = topText === null ? undefined : Number(topText);
    if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > 1000))
      throw new BadRequest('top must be an integer from 1 to 1000');
    const token = req?.headers['x-ms-continuation-token'];
    const createdTimeFrom = parseDate(url, 'createdTimeFrom');
    const createdTimeTo = parseDate(url, 'createdTimeTo');
    return {
      runtimeStatus: statuses.filter(isRuntimeStatus),
      ...(createdTimeFrom === undefined ? {} : { createdTimeFrom }),
      ...(createdTimeTo === undefined ? {} : { createdTimeTo }),
      ...(top === undefined ? {} : { top }),
      ...(typeof token === 'string' && token !== '' ? { continuationToken: token } : {}),
    };
  }

  private async list(res: ServerResponse, url: URL, runner: DurableRunner, req: IncomingMessage): Promise<void> {
    const page = await runner.listInstances(this.query(url, req));
    const options = { showInput: flag(url, 'showInput', false), showHistory: false, showHistoryOutput: false };
    const headers: Record<string, string> =
      page.continuationToken === undefined ? {} : { 'x-ms-continuation-token': page.continuationToken };
    writeJson(
      res,
      200,
      page.instances.map((i) => toStatusJson(i, options)),
      headers,
    );
  }

  private async purgeBy(res: ServerResponse, url: URL, runner: DurableRunner): Promise<void> {
    const query = this.query(url);
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await runner.listInstances({
        ...query,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      });
      for (const instance of page.instances)
        if (isTerminal(instance.runtimeStatus) && (await runner.purge(instance.instanceId))) deleted += 1;
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
    if (deleted === 0) writePlain(res, 404);
    else writeJson(res, 200, { instancesDeleted: deleted });
  }
}
