import { json, noContent, parseJsonBody, type SandboxRequest, type SandboxResponse } from '../http';
import type { SandboxStore } from '../store';
import { handleAutotask } from './autotask';
import { handleConnectWise } from './connectwise';
import { handleHaloPsa } from './halopsa';
import { PSA_KINDS, psaAccountSchema, psaFaultSchema, standInOf, type PsaKind, type PsaStandIn } from './standIns';

/**
 * `/psa/{connectwise|autotask|halopsa}/…`: the PSAs' REST APIs as write-back calls them (one file
 * each), and `/psa/_sandbox/{kind}` to configure one (PUT: account, tickets, statuses; PUT
 * …/faults: fail the next N calls; GET: what it received and wrote; DELETE: forget it all).
 */
const CREDENTIAL_HEADERS = new Set(['authorization', 'secret', 'clientid', 'apiintegrationcode', 'username']);

function isKind(value: string | undefined): value is PsaKind {
  return (PSA_KINDS as readonly string[]).includes(value ?? '');
}

function admin(store: SandboxStore, req: SandboxRequest, kind: PsaKind, what: string | undefined): SandboxResponse {
  const psa = standInOf(store, kind);
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody) ?? {};
  } catch {
    return json(400, { error: 'request body is not valid JSON' });
  }
  if (what === undefined && req.method === 'GET') return json(200, psa.view());
  if (what === undefined && req.method === 'PUT') {
    const parsed = psaAccountSchema.safeParse(body);
    if (!parsed.success)
      return json(400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    psa.account = parsed.data;
    psa.tokens.clear();
    return noContent();
  }
  if (what === 'faults' && req.method === 'PUT') {
    const parsed = psaFaultSchema.safeParse(body);
    if (!parsed.success)
      return json(400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    psa.failNext = parsed.data.failNext;
    psa.failStatus = parsed.data.status;
    return noContent();
  }
  if (what === undefined && req.method === 'DELETE') {
    psa.account = null;
    psa.received.length = 0;
    psa.notes.length = 0;
    psa.statusChanges.length = 0;
    psa.timeEntries.length = 0;
    psa.failNext = 0;
    psa.tokens.clear();
    return noContent();
  }
  return json(404, { error: `no PSA stand-in endpoint ${req.method} ${req.segments.join('/')}` });
}

function answer(
  store: SandboxStore,
  psa: PsaStandIn,
  kind: PsaKind,
  req: SandboxRequest,
  path: readonly string[],
): SandboxResponse {
  const fault = psa.takeFault();
  if (fault !== null) return json(fault, { message: `injected fault: the ${kind} stand-in answers ${fault}` });
  if (kind === 'connectwise') return handleConnectWise(psa, req, path);
  if (kind === 'autotask') return handleAutotask(psa, req, path, store.url);
  return handleHaloPsa(psa, req, path);
}

export function handlePsa(store: SandboxStore, req: SandboxRequest): SandboxResponse {
  const [, kindOrAdmin, ...path] = req.segments;
  if (kindOrAdmin === '_sandbox') {
    const [kind, what] = path;
    if (!isKind(kind)) return json(404, { error: `no PSA stand-in '${kind ?? ''}'` });
    return admin(store, req, kind, what);
  }
  if (!isKind(kindOrAdmin)) return json(404, { error: `no PSA stand-in '${kindOrAdmin ?? ''}'` });
  const psa = standInOf(store, kindOrAdmin);
  const out = answer(store, psa, kindOrAdmin, req, path);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined && !CREDENTIAL_HEADERS.has(name)) headers[name] = value;
  psa.received.push({
    at: new Date().toISOString(),
    method: req.method,
    path: `/${req.segments.join('/')}`,
    headers,
    // The token request's form carries the client secret: recorded without it.
    body: req.rawBody.replace(/client_secret=[^&]*/g, 'client_secret=(redacted)'),
    status: out.status,
  });
  return out;
}
