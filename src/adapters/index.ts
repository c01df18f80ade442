import type { AppPorts, OutgoingMail } from '../app/ports';
import { ConflictError } from '../domain/errors';
import type { Settings } from '../settings';
import { GraphDirectoryProvider, type GraphDirectoryProviderOptions } from './graph/graphDirectoryProvider';
import { GraphWriteBudget, writeBudgetForInstances } from './graph/writeBudget';
import { createServiceCredential, TenantCredentials } from './identity';
import { KeyVaultSecretVault } from './keyvault/secretVault';
import { createNotifier, GraphMailNotifier } from './notify';
import { createTableStores, TableSet, type TableConnection } from './tables';
import { TableTeamsConversationStore } from './tables/teamsConversationStore';
import { BotConnectorClient } from './teams/botConnector';
import type { TeamsBot } from '../app/ports';
import { FetchPsaHttp } from './ticketing/psaHttp';

/** Every port, implemented with the real SDKs. */
export type Adapters = AppPorts;

export interface CreateAdaptersOptions {
  /** Table names are `<prefix>Requests`, `<prefix>Audit` …; default `jit`. Tests isolate with their own. */
  readonly tablePrefix?: string;
  /** How long Graph writes wait out Entra's replication lag (tests shorten it). */
  readonly graph?: GraphDirectoryProviderOptions;
}

/**
 * Every adapter, built once from validated settings: the composition root calls this once per
 * process so credentials (and their token caches), HTTP connections and table clients are reused.
 */
export function createAdapters(settings: Settings, options: CreateAdaptersOptions = {}): Adapters {
  const serviceCredential = createServiceCredential(settings);
  const vault = new KeyVaultSecretVault(settings.JIT_KEY_VAULT_URL, serviceCredential);
  // This process's share of Graph's write limits: the fleet may run JIT_GRAPH_WRITE_BUDGET_INSTANCES of it.
  const writeBudget =
    options.graph?.writeBudget ??
    new GraphWriteBudget(writeBudgetForInstances(settings.JIT_GRAPH_WRITE_BUDGET_INSTANCES));
  const directories = new GraphDirectoryProvider(settings.JIT_GRAPH_BASE_URL, new TenantCredentials(settings, vault), {
    ...options.graph,
    writeBudget,
  });
  const connection: TableConnection =
    settings.JIT_TABLES_CONNECTION_STRING !== undefined
      ? { connectionString: settings.JIT_TABLES_CONNECTION_STRING }
      : { endpoint: requireTablesEndpoint(settings), credential: serviceCredential };
  const stores = createTableStores(connection, options.tablePrefix);
  const mailFrom = settings.JIT_NOTIFY_MAIL_FROM;
  // The mailbox belongs to the home tenant: its connection (and its Mail.Send grant) sends.
  const homeDirectory = async () => {
    const home = await stores.config.getTenant(settings.JIT_HOME_TENANT_ID);
    if (home === null)
      throw new ConflictError(
        `the home tenant ${settings.JIT_HOME_TENANT_ID} is not connected, so email cannot be sent from ${mailFrom ?? ''}; connect it first`,
      );
    return directories.forTenant(home.value);
  };
  const mailer = mailFrom === undefined ? null : new GraphMailNotifier(mailFrom, homeDirectory);
  const reportMailer =
    mailFrom === undefined
      ? null
      : { send: async (mail: OutgoingMail) => (await homeDirectory()).sendMail(mailFrom, mail) };
  const teams = teamsBot(settings, connection, options.tablePrefix);
  return {
    directories,
    vault,
    ...stores,
    notifier: createNotifier(settings),
    mailer,
    reportMailer,
    psaHttp: new FetchPsaHttp(),
    ...(teams ? { teams } : {}),
  };
}

/** The Teams bot's ports, when JIT_TEAMS_BOT_APP_ID is set (settings require its secret with it). */
function teamsBot(settings: Settings, connection: TableConnection, tablePrefix: string | undefined): TeamsBot | null {
  const botAppId = settings.JIT_TEAMS_BOT_APP_ID;
  const secret = settings.JIT_TEAMS_BOT_CLIENT_SECRET;
  if (botAppId === undefined || secret === undefined) return null;
  const channel = settings.JIT_TEAMS_APPROVAL_CHANNEL;
  return {
    botAppId,
    approvalChannel:
      channel === undefined ? null : { conversationId: channel, serviceUrl: settings.JIT_TEAMS_SERVICE_URL },
    conversations: new TableTeamsConversationStore(new TableSet(connection, tablePrefix)),
    connector: new BotConnectorClient(settings.JIT_HOME_TENANT_ID, botAppId, secret, settings.JIT_AUTHORITY_HOST),
  };
}

function requireTablesEndpoint(settings: Settings): string {
  // settingsSchema already refuses settings with neither; this keeps the types honest.
  if (settings.JIT_TABLES_ENDPOINT === undefined)
    throw new Error('JIT_TABLES_ENDPOINT or JIT_TABLES_CONNECTION_STRING must be set');
  return settings.JIT_TABLES_ENDPOINT;
}
