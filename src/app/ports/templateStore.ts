import type { Template, TemplateApplication } from '../../domain/template';
import type { Versioned } from './versioned';

/** Target templates, and what applying each to each tenant last came to. */
export interface TemplateStore {
  getTemplate(templateId: string): Promise<Versioned<Template> | null>;
  listTemplates(): Promise<Template[]>;
  createTemplate(template: Template): Promise<Versioned<Template>>;
  replaceTemplate(template: Template, etag: string): Promise<Versioned<Template>>;
  /** Deletes the template and its application results; succeeds when already gone. */
  deleteTemplate(templateId: string): Promise<void>;
  /** Keeps the latest result of applying a template to a tenant (replacing the one before). */
  recordApplication(application: TemplateApplication): Promise<void>;
  listApplications(templateId: string): Promise<TemplateApplication[]>;
}
