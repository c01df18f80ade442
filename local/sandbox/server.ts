import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { listenOnLoopback } from '../ports';
import { handleBotFrameworkMetadata, handleConversationApi, handleTeamsSandboxApi } from './botConnector';
import { handleGraph } from './graph/router';
import {
  BodyTooLargeError,
  headerRecord,
  json,
  readBody,
  splitPath,
  type SandboxRequest,
  type SandboxResponse,
} from './http';
import { handleKeyVault } from './keyvault';
import { handleLogin } from './login';
import { handlePsa } from './psa/router';
import { handleSandboxApi } from './sandboxApi';
import { SignIns } from './signIns';
import { SandboxStore } from './store';

/**
 * The Entra sandbox: one HTTPS origin on 127.0.0.1 standing in for login.microsoftonline.com
 * (`/{tenant}/…`), graph.microsoft.com (`/v1.0/…`), Key Vault (`/secrets/…`, `/deletedsecrets/…`)
 * and its own API (`/_sandbox/…`). See DESIGN.md §6.
 */
export interface SandboxOptions {
  port: number;
  tls: { keyPem: string; certPem: string };
  stateFile?: string;
  /**
   * SPA redirect URIs on the service's app registration (the local portal's `http://127.0.0.1:<port>/`):
   * where sign-in may send a code, and the origins the login endpoints answer CORS for.
   */
  spaRedirectUris?: readonly string[];
  /** Default 600 (Entra's ~10 minutes); tests shorten it to see a code expire. */
  authorizationCodeLifetimeInSeconds?: number;
}

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function route(store: SandboxStore, req: SandboxRequest): Promise<SandboxResponse> {
  const first = req.segments[0];
  if (first === 'v1.0') return handleGraph(store, req);
  if (first === 'secrets' || first === 'deletedsecrets') return handleKeyVault(store, req);
  if (first === '_sandbox') return (await handleTeamsSandboxApi(store, req)) ?? handleSandboxApi(store, req);
  if (first === 'psa') return handlePsa(store, req);
  const botConnector = handleBotFrameworkMetadata(store, req) ?? (await handleConversationApi(store, req));
  if (botConnector !== undefined) return botConnector;
  const login = await handleLogin(store, req);
  return (
    login ??
    json(404, {
      error: { code: 'NotFound', message: `No sandbox endpoint for ${req.method} /${req.segments.join('/')}` },
    })
  );
}

function send(res: ServerResponse, out: SandboxResponse): void {
  const body = out.body === undefined ? undefined : typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
  res.writeHead(out.status, {
    ...out.headers,
    ...(body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body).toString() }),
  });
  res.end(body);
}

async function handle(store: SandboxStore, incoming: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(incoming.url ?? '/', store.url);
    const segments = splitPath(url.pathname);
    if (segments === undefined) {
      send(res, json(400, { error: { code: 'BadRequest', message: 'The request URI is not valid.' } }));
      return;
    }
    const rawBody = await readBody(incoming);
    const req: SandboxRequest = {
      method: (incoming.method ?? 'GET').toUpperCase(),
      segments,
      query: url.searchParams,
      headers: headerRecord(incoming),
      rawBody,
    };
    send(res, await route(store, req));
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      send(res, json(413, { error: { code: 'RequestEntityTooLarge', message: 'The request body is too large.' } }));
      return;
    }
    // Never expected: keep serving, and make the bug visible.
    console.error('sandbox: unhandled error', error);
    if (!res.headersSent)
      send(
        res,
        json(500, { error: { code: 'InternalServerError', message: 'The sandbox failed to handle the request.' } }),
      );
    else res.destroy();
  }
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const store = await SandboxStore.open(
    options.stateFile,
    { spaRedirectUris: options.spaRedirectUris ?? [] },
    new SignIns(options.authorizationCodeLifetimeInSeconds),
  );
  const server = createServer({ key: options.tls.keyPem, cert: options.tls.certPem }, (req, res) => {
    void handle(store, req, res);
  });
  const port = await listenOnLoopback(server, options.port);
  const url = `https://127.0.0.1:${port}`;
  store.url = url;
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
