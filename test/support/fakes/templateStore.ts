import type { TemplateStore, Versioned } from '../../../src/app/ports';
import type { Template, TemplateApplication } from '../../../src/domain/template';
import { VersionedMap } from './versionedMap';

export class InMemoryTemplateStore implements TemplateStore {
  readonly templates = new VersionedMap<Template>();
  readonly applications = new Map<string, TemplateApplication>();

  getTemplate(templateId: string): Promise<Versioned<Template> | null> {
    return Promise.resolve(this.templates.get(templateId));
  }
  listTemplates(): Promise<Template[]> {
    return Promise.resolve(this.templates.values());
  }
  createTemplate(template: Template): Promise<Versioned<Template>> {
    return Promise.resolve(this.templates.create(template.templateId, template, `template ${template.templateId}`));
  }
  replaceTemplate(template: Template, etag: string): Promise<Versioned<Template>> {
    return Promise.resolve(
      this.templates.replace(template.templateId, template, etag, `template ${template.templateId}`),
    );
  }
  deleteTemplate(templateId: string): Promise<void> {
    this.templates.delete(templateId);
    for (const key of [...this.applications.keys()])
      if (key.startsWith(`${templateId}|`)) this.applications.delete(key);
    return Promise.resolve();
  }
  recordApplication(application: TemplateApplication): Promise<void> {
    this.applications.set(`${application.templateId}|${application.tenantId}`, structuredClone(application));
    return Promise.resolve();
  }
  listApplications(templateId: string): Promise<TemplateApplication[]> {
    return Promise.resolve(
      [...this.applications.values()].filter((a) => a.templateId === templateId).map((a) => structuredClone(a)),
    );
  }
}
