import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConcurrencyError } from '../../../src/app/ports';
import type { Template } from '../../../src/domain/template';
import { freshStores } from './fixtures';

const now = new Date().toISOString();

function template(templateId: string): Template {
  return {
    templateId,
    name: 'Helpdesk (standard)',
    kind: 'adminAccount',
    roles: ['729827e3-9c14-49f7-bb1b-9608f156bbb8'],
    groups: ['JIT Helpdesk Operators'],
    defaultDuration: 'PT1H',
    minDuration: 'PT15M',
    maxDuration: 'PT4H',
    approval: { mode: 'none' },
    requireJustification: false,
    requireTicket: false,
    applyTo: { allTenants: true },
    applyToNewTenants: true,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

describe('TableTemplateStore against Azurite', () => {
  it('creates once, replaces under the ETag, keeps one result per tenant, and deletes results with the template', async () => {
    const { templates } = freshStores();
    const created = await templates.createTemplate(template('helpdesk'));
    await expect(templates.createTemplate(template('helpdesk'))).rejects.toBeInstanceOf(AlreadyExistsError);
    const replaced = await templates.replaceTemplate({ ...template('helpdesk'), version: 2 }, created.etag);
    await expect(templates.replaceTemplate(template('helpdesk'), created.etag)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect((await templates.getTemplate('helpdesk'))?.value.version).toBe(2);
    expect((await templates.getTemplate('helpdesk'))?.etag).toBe(replaced.etag);
    await templates.createTemplate(template('other'));
    expect((await templates.listTemplates()).map((t) => t.templateId).sort()).toEqual(['helpdesk', 'other']);

    const tenantId = randomUUID();
    const result = { templateId: 'helpdesk', tenantId, version: 2, at: now };
    await templates.recordApplication({ ...result, outcome: 'failed', detail: "no group named 'X'" });
    await templates.recordApplication({ ...result, outcome: 'created' });
    await templates.recordApplication({ ...result, templateId: 'other', outcome: 'created' });
    expect(await templates.listApplications('helpdesk')).toEqual([{ ...result, outcome: 'created' }]);

    await templates.deleteTemplate('helpdesk');
    await templates.deleteTemplate('helpdesk');
    expect(await templates.getTemplate('helpdesk')).toBeNull();
    expect(await templates.listApplications('helpdesk')).toEqual([]);
    expect(await templates.listApplications('other')).toHaveLength(1);
  });
});
