import { odata } from '@azure/data-tables';
import type { TemplateStore, Versioned } from '../../app/ports';
import {
  templateApplicationSchema,
  templateSchema,
  type Template,
  type TemplateApplication,
} from '../../domain/template';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

/**
 * Target templates: one partition ('template'), row key = template id, listed in one query.
 * What applying a template last came to in each tenant: partition 'applied-<templateId>', row key =
 * tenant id, so the drift view reads one template's results in one partition scan (500 tenants:
 * one query) and deleting the template drops them.
 */
const TEMPLATE_PARTITION = 'template';
const applicationPartition = (templateId: string): string => `applied-${templateId}`;

export class TableTemplateStore implements TemplateStore {
  private readonly templates: DocumentTable<typeof templateSchema>;
  private readonly applications: DocumentTable<typeof templateApplicationSchema>;

  constructor(tables: TableSet) {
    this.templates = new DocumentTable(tables.table('Templates'), templateSchema, 'template');
    this.applications = new DocumentTable(tables.table('Templates'), templateApplicationSchema, 'template application');
  }

  getTemplate(templateId: string): Promise<Versioned<Template> | null> {
    return this.templates.get(TEMPLATE_PARTITION, templateId);
  }

  listTemplates(): Promise<Template[]> {
    return this.templates.list(odata`PartitionKey eq ${TEMPLATE_PARTITION}`);
  }

  createTemplate(template: Template): Promise<Versioned<Template>> {
    return this.templates.create({ partitionKey: TEMPLATE_PARTITION, rowKey: template.templateId }, template);
  }

  replaceTemplate(template: Template, etag: string): Promise<Versioned<Template>> {
    return this.templates.replace({ partitionKey: TEMPLATE_PARTITION, rowKey: template.templateId }, template, etag);
  }

  async deleteTemplate(templateId: string): Promise<void> {
    await this.templates.delete(TEMPLATE_PARTITION, templateId);
    const applied = await this.listApplications(templateId);
    for (const application of applied)
      await this.applications.delete(applicationPartition(templateId), application.tenantId);
  }

  recordApplication(application: TemplateApplication): Promise<void> {
    return this.applications.upsert(
      { partitionKey: applicationPartition(application.templateId), rowKey: application.tenantId },
      application,
    );
  }

  listApplications(templateId: string): Promise<TemplateApplication[]> {
    return this.applications.list(odata`PartitionKey eq ${applicationPartition(templateId)}`);
  }
}
