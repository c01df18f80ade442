import type { Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { CONTOSO, CUSTOM_ROLES, HOME_TENANT, ROLE_TEMPLATES } from '../../../local/sandbox/seed';
import { graphClientFor, graphFailure, useResetSandbox } from './helpers';

/** The sandbox's `$search` on users and groups and `$select` on role definitions, as strict as Graph. */

let contoso: Client;
let home: Client;

useResetSandbox((started) => {
  contoso = graphClientFor(started, CONTOSO);
  home = graphClientFor(started, HOME_TENANT);
});

interface Named {
  id: string;
  displayName: string;
}

describe('Graph $search on directory objects', () => {
  it('refuses $search without ConsistencyLevel: eventual, as Graph does', async () => {
    const failure = await graphFailure(contoso.api('/groups').search('"displayName:exch"').get());
    expect(failure.statusCode).toBe(400);
    expect(failure.code).toBe('Request_UnsupportedQuery');
    expect(failure.message).toContain('ConsistencyLevel: eventual');
  });

  it('finds groups by the start of any word of their name', async () => {
    const page = (await contoso
      .api('/groups')
      .header('ConsistencyLevel', 'eventual')
      .search('"displayName:oper"')
      .select('id,displayName,onPremisesSyncEnabled')
      .get()) as { value: Named[] };
    expect(page.value.map((g) => g.displayName).sort()).toEqual([
      'All Operators',
      'Exchange Operators',
      'JIT Helpdesk Operators',
    ]);
    expect(Object.keys(page.value[0] ?? {}).sort()).toEqual(['displayName', 'id', 'onPremisesSyncEnabled']);
  });

  it('finds users by display name or user principal name with OR', async () => {
    const page = (await home
      .api('/users')
      .header('ConsistencyLevel', 'eventual')
      .search('"displayName:bob" OR "userPrincipalName:bob"')
      .select('id,displayName,userPrincipalName')
      .get()) as { value: { userPrincipalName: string }[] };
    expect(page.value.map((u) => u.userPrincipalName)).toEqual(['bob@msp.example']);
  });

  it('refuses a clause that is not quoted "property:text" or names an unsearchable property', async () => {
    const unquoted = await graphFailure(
      contoso.api('/groups').header('ConsistencyLevel', 'eventual').search('displayName:exch').get(),
    );
    expect(unquoted.statusCode).toBe(400);
    const unsearchable = await graphFailure(
      contoso.api('/groups').header('ConsistencyLevel', 'eventual').search('"isAssignableToRole:true"').get(),
    );
    expect(unsearchable.statusCode).toBe(400);
    expect(unsearchable.message).toContain('isAssignableToRole');
  });
});

describe('Graph role definitions with $select', () => {
  it('answers only the selected properties, the custom role with isBuiltIn false', async () => {
    const page = (await contoso
      .api('/roleManagement/directory/roleDefinitions')
      .select('id,displayName,description,templateId,isBuiltIn')
      .get()) as { value: Record<string, unknown>[] };
    expect(Object.keys(page.value[0] ?? {}).sort()).toEqual(
      ['description', 'displayName', 'id', 'isBuiltIn', 'templateId'].sort(),
    );
    const custom = page.value.find((d) => d.id === CUSTOM_ROLES[0].id);
    expect(custom).toMatchObject({ isBuiltIn: false, templateId: CUSTOM_ROLES[0].id });
    expect(page.value.find((d) => d.id === ROLE_TEMPLATES.helpdeskAdministrator)).toMatchObject({ isBuiltIn: true });
    const bad = await graphFailure(contoso.api('/roleManagement/directory/roleDefinitions').select('nonsense').get());
    expect(bad.statusCode).toBe(400);
  });
});
