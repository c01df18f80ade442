import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ensureBicep, readRepoFile, run } from './infraFiles';

// What the deployment does, read from the compiled ARM template (`bicep build` of infra/main.bicep,
// modules nested in it): the runtime, the settings that survive a redeploy, operators' read access,
// the alerts and the Graph write budget's instance count.

const armResource = z.looseObject({ type: z.string(), properties: z.unknown().optional() });
type ArmResource = z.infer<typeof armResource>;
const armTemplate = z.looseObject({
  parameters: z.record(z.string(), z.looseObject({ defaultValue: z.unknown().optional() })).optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
  functions: z
    .array(
      z.looseObject({ members: z.record(z.string(), z.looseObject({ output: z.looseObject({ value: z.string() }) })) }),
    )
    .optional(),
  resources: z.record(z.string(), armResource),
});
type ArmTemplate = z.infer<typeof armTemplate>;
// A module's parameters are { value } objects, except where ARM takes one expression for a value.
const moduleProperties = z.looseObject({
  parameters: z.record(z.string(), z.union([z.looseObject({ value: z.unknown().optional() }), z.string()])),
  template: armTemplate,
});

/** The value a module passes for one of its parameters. */
function passed(module: z.infer<typeof moduleProperties>, name: string): unknown {
  const parameter = module.parameters[name];
  return typeof parameter === 'string' ? parameter : parameter?.value;
}

let main: ArmTemplate;
let outDir = '';

function resource(template: ArmTemplate, name: string): ArmResource {
  const found = template.resources[name];
  if (found === undefined)
    throw new Error(`no resource ${name} in the template (has ${Object.keys(template.resources).join(', ')})`);
  return found;
}

function moduleOf(name: string): z.infer<typeof moduleProperties> {
  return moduleProperties.parse(resource(main, name).properties);
}

/** A JSON path into a resource's properties, failing clearly when it is absent. */
function at(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((current, key) => {
    if (current === null || typeof current !== 'object' || !(key in current))
      throw new Error(`missing ${path.join('.')} (at ${key})`);
    return (current as Record<string, unknown>)[key];
  }, value);
}

beforeAll(async () => {
  const bicep = await ensureBicep();
  outDir = await mkdtemp(join(tmpdir(), 'entra-jit-arm-'));
  const result = await run(bicep, ['build', 'infra/main.bicep', '--outdir', outDir, '--no-restore'], 120_000);
  if (result.exitCode !== 0) throw new Error(`bicep build failed: ${result.stderr}`);
  main = armTemplate.parse(JSON.parse(await readFile(join(outDir, 'main.json'), 'utf8')));
}, 600_000);

afterAll(async () => {
  if (outDir !== '') await rm(outDir, { recursive: true, force: true });
});

describe('the Function App', () => {
  it('runs on Node 22 (Node 20 is past end of life)', () => {
    const site = resource(moduleOf('functionApp').template, 'site');
    expect(at(site.properties, 'functionAppConfig', 'runtime')).toEqual({ name: 'node', version: '22' });
  });

  it('sets the notification settings from parameters, the secrets as Key Vault references resolved by its own identity', () => {
    const app = moduleOf('functionApp');
    const settings = at(app.template.variables, 'jitAppSettings');
    expect(at(settings, 'JIT_PUBLIC_BASE_URL')).toBe("[parameters('publicBaseUrl')]");
    expect(at(settings, 'JIT_NOTIFY_WEBHOOK_URL')).toBe("[parameters('notifyWebhookUrl')]");
    expect(at(settings, 'JIT_NOTIFY_WEBHOOK_SECRET')).toBe(
      "[__bicep.keyVaultReference(parameters('keyVaultUri'), parameters('notifyWebhookSecretName'))]",
    );
    expect(at(settings, 'JIT_NOTIFY_TEAMS_WEBHOOK_URL')).toBe(
      "[__bicep.keyVaultReference(parameters('keyVaultUri'), parameters('notifyTeamsWebhookUrlSecretName'))]",
    );
    const reference = app.template.functions
      ?.flatMap((namespace) => Object.entries(namespace.members))
      .find(([name]) => name === 'keyVaultReference')?.[1];
    expect(reference?.output.value).toBe(
      "[if(empty(parameters('secretName')), '', format('@Microsoft.KeyVault(SecretUri={0}secrets/{1}/)', parameters('vaultUri'), parameters('secretName')))]",
    );
    expect(at(resource(app.template, 'site').properties, 'keyVaultReferenceIdentity')).toBe(
      "[parameters('identityId')]",
    );
    // main.bicep passes its own parameters through, so `azd provision` sets them every time.
    for (const name of [
      'publicBaseUrl',
      'notifyWebhookUrl',
      'notifyWebhookSecretName',
      'notifyTeamsWebhookUrlSecretName',
    ]) {
      expect(passed(app, name), name).toBe(`[parameters('${name}')]`);
      expect(main.parameters?.[name]?.defaultValue, name).toBe('');
    }
  });

  it("gives each instance its share of the Graph write budget from the plan's maximum instance count", () => {
    const app = moduleOf('functionApp');
    expect(at(app.template.variables, 'jitAppSettings', 'JIT_GRAPH_WRITE_BUDGET_INSTANCES')).toBe(
      "[string(parameters('maximumInstanceCount'))]",
    );
    expect(
      at(resource(app.template, 'site').properties, 'functionAppConfig', 'scaleAndConcurrency', 'maximumInstanceCount'),
    ).toBe("[parameters('maximumInstanceCount')]");
  });

  it('selects the Durable Task Scheduler through the staged host.json, not app-setting overrides', () => {
    const schedulerSettings = at(moduleOf('functionApp').template.variables, 'durableTaskSchedulerSettings') as Record<
      string,
      unknown
    >;
    expect(Object.keys(schedulerSettings)).toEqual(['DURABLE_TASK_SCHEDULER_CONNECTION_STRING']);
    expect(main.parameters?.alwaysReadyDurableInstances?.defaultValue).toBe(0);
  });
});

describe('operators', () => {
  const readerRoles = {
    blob: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
    queue: '19e7f393-937e-4f77-808e-94535e297925',
    table: '76199698-9eea-4c19-bc75-cec21354c6b6',
    durableTask: 'd6a5505f-6ebb-45a4-896e-ac8274cfc0ac',
  };

  it("default to the deploying user (azd's AZURE_PRINCIPAL_ID), or the listed principals", () => {
    expect(at(main.variables, 'operators')).toBe(
      "[if(not(empty(parameters('operatorPrincipalIds'))), __bicep.splitList(parameters('operatorPrincipalIds')), if(empty(parameters('principalId')), createArray(), createArray(parameters('principalId'))))]",
    );
    const parameters = z
      .object({ parameters: z.record(z.string(), z.object({ value: z.string() })) })
      .parse(JSON.parse(readRepoFile('infra/main.parameters.json'))).parameters;
    expect(parameters.principalId?.value).toBe('${AZURE_PRINCIPAL_ID=}');
    expect(parameters.operatorPrincipalIds?.value).toBe('${JIT_OPERATOR_PRINCIPAL_IDS=}');
  });

  it('read blobs, queues and tables of the storage account, and nothing more there', () => {
    const storage = moduleOf('storage');
    expect(passed(storage, 'operatorPrincipalIds')).toBe("[variables('operators')]");
    expect(at(storage.template.variables, 'operatorRoleIds')).toEqual([
      "[variables('storageBlobDataReaderRoleId')]",
      "[variables('storageQueueDataReaderRoleId')]",
      "[variables('storageTableDataReaderRoleId')]",
    ]);
    expect(at(storage.template.variables, 'storageBlobDataReaderRoleId')).toBe(readerRoles.blob);
    expect(at(storage.template.variables, 'storageQueueDataReaderRoleId')).toBe(readerRoles.queue);
    expect(at(storage.template.variables, 'storageTableDataReaderRoleId')).toBe(readerRoles.table);
    const assignments = resource(storage.template, 'operatorRoleAssignments');
    expect(assignments.type).toBe('Microsoft.Authorization/roleAssignments');
    expect(JSON.stringify(assignments)).toContain("variables('operatorAssignments')[copyIndex()].roleId");
  });

  it('read the Durable Task Scheduler task hub (dashboard) when it is the backend', () => {
    const scheduler = moduleOf('scheduler');
    expect(passed(scheduler, 'operatorPrincipalIds')).toBe("[variables('operators')]");
    expect(at(scheduler.template.variables, 'durableTaskDataReaderRoleId')).toBe(readerRoles.durableTask);
    expect(JSON.stringify(resource(scheduler.template, 'operatorReaders'))).toContain(
      "variables('durableTaskDataReaderRoleId')",
    );
  });

  it('get no Key Vault role (the vault holds live lease credentials)', () => {
    expect(JSON.stringify(resource(main, 'keyVault'))).not.toMatch(/operator/i);
  });
});

describe('alerts', () => {
  const rules = (): { suffix: string; query: string; operator: string; threshold: number; dimensions: string[] }[] =>
    z
      .array(
        z
          .object({
            suffix: z.string(),
            query: z.string(),
            operator: z.string(),
            threshold: z.number(),
            dimensions: z.array(z.string()),
          })
          .loose(),
      )
      .parse(at(moduleOf('alerts').template.variables, 'rules'));

  it('fire on revocation failures, failed or terminated lease orchestrations, a silent reconciler and its findings', () => {
    expect(rules().map((r) => r.suffix)).toEqual([
      'revocation-failed',
      'lease-orchestration-failed',
      'reconciler-silent',
      'reconciler-finding',
    ]);
  });

  it('read the Durable lifecycle traces of the lease orchestrator for Failed and Terminated, replays excluded', () => {
    const alerts = moduleOf('alerts');
    const lifecycle = String(at(alerts.template.variables, 'leaseOrchestrationEnded'));
    expect(lifecycle).toContain("tostring(customDimensions.Category) == 'Host.Triggers.DurableTask'");
    expect(lifecycle).toContain('where isReplay != true');
    const rule = rules().find((r) => r.suffix === 'lease-orchestration-failed');
    expect(rule?.query).toContain("state in (''Failed'', ''Terminated'')");
    expect(rule?.query).toContain("parameters('leaseOrchestrationName')");
    expect(alerts.template.parameters?.leaseOrchestrationName?.defaultValue).toBe('lease');
    expect(rule).toMatchObject({ operator: 'GreaterThan', threshold: 0, dimensions: ['instanceId', 'state'] });
  });

  it('fire when no audit_anchor was logged in 15 minutes', () => {
    const rule = rules().find((r) => r.suffix === 'reconciler-silent');
    expect(rule?.query).toContain("where event == ''audit_anchor''");
    expect(rule).toMatchObject({ operator: 'LessThan', threshold: 1, dimensions: [] });
    expect(JSON.stringify(resource(moduleOf('alerts').template, 'alertRules'))).toContain('"windowSize":"PT15M"');
  });

  it('test /api/health from five locations, and alert when two fail', () => {
    const alerts = moduleOf('alerts');
    expect(passed(alerts, 'healthUrl')).toBe("[format('{0}/api/health', reference('functionApp').outputs.uri.value)]");
    const test = resource(alerts.template, 'healthTest');
    expect(test.type).toBe('Microsoft.Insights/webtests');
    expect(at(test, 'kind')).toBe('standard');
    expect(at(test.properties, 'Request', 'RequestUrl')).toBe("[parameters('healthUrl')]");
    expect(at(test.properties, 'ValidationRules', 'ExpectedHttpStatusCode')).toBe(200);
    expect(at(test.properties, 'Locations')).toHaveLength(5);
    const alert = resource(alerts.template, 'healthAlert');
    expect(at(alert.properties, 'criteria')).toMatchObject({
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria',
      failedLocationCount: 2,
    });
  });
});

describe('the portal', () => {
  const staticSite = z.looseObject({
    type: z.literal('Microsoft.Web/staticSites'),
    tags: z.string(),
    sku: z.object({ name: z.string(), tier: z.string() }),
    properties: z.looseObject({ provider: z.string() }),
  });

  it("is a Free Static Web App that azd deploys the portal service to (tag azd-service-name 'portal')", () => {
    const module = z
      .looseObject({
        template: z.looseObject({ resources: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]) }),
      })
      .parse(resource(main, 'portal').properties);
    const sites = Object.values(module.template.resources).filter(
      (r) => (r as { type?: unknown }).type === 'Microsoft.Web/staticSites',
    );
    expect(sites).toHaveLength(1);
    const site = staticSite.parse(sites[0]);
    expect(site.sku).toEqual({ name: 'Free', tier: 'Free' });
    expect(site.tags).toContain("'azd-service-name', 'portal'");
    expect(site.properties.provider).toBe('Custom');
  });

  it("lets the API's CORS allow exactly the portal's origin (and only the origins an operator adds)", () => {
    expect(passed(moduleOf('functionApp'), 'allowedCorsOrigins')).toBe(
      "[union(createArray(reference('portal').outputs.origin.value), __bicep.splitList(parameters('allowedCorsOrigins')))]",
    );
    expect(main.parameters?.allowedCorsOrigins?.defaultValue).toBe('');
    const cors = at(resource(moduleOf('functionApp').template, 'site').properties, 'siteConfig', 'cors');
    expect(cors).toEqual({ allowedOrigins: "[parameters('allowedCorsOrigins')]", supportCredentials: false });
  });
});
