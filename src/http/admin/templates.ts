import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { applyTemplate } from '../../app/config/applyTemplate';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  replaceTemplate,
  templateTenants,
} from '../../app/config/templates';
import {
  applyTemplateBodySchema,
  createTemplateBodySchema,
  replaceTemplateBodySchema,
} from '../../app/config/templateSchemas';
import { slugSchema } from '../../domain/config';
import { NotFoundError } from '../../domain/errors';
import type { AuthenticatedCall } from '../operations/operation';
import { readJsonBody } from '../parse';
import { json } from '../respond';
import { etagHeader, preconditionOf } from './conditional';

function templateIdOf(request: HttpRequest): string {
  const parsed = slugSchema.safeParse(request.params.templateId);
  if (!parsed.success) throw new NotFoundError('no such template: ids are lowercase letters, digits and dashes');
  return parsed.data;
}

export async function createTemplateHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, createTemplateBodySchema);
  const template = await createTemplate(services.deps, caller, body);
  const location = new URL(`/api/templates/${template.value.templateId}`, request.url).toString();
  return json(201, template.value, { Location: location, ...etagHeader(template.etag) });
}

export async function listTemplatesHttp({ caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, { items: await listTemplates(services.deps, caller) });
}

export async function getTemplateHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const template = await getTemplate(services.deps, caller, templateIdOf(request));
  return json(200, template.value, etagHeader(template.etag));
}

export async function replaceTemplateHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const templateId = templateIdOf(request);
  const body = await readJsonBody(request, replaceTemplateBodySchema);
  const template = await replaceTemplate(services.deps, caller, templateId, body, preconditionOf(request));
  return json(200, template.value, etagHeader(template.etag));
}

export async function deleteTemplateHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await deleteTemplate(services.deps, caller, templateIdOf(request), preconditionOf(request)));
}

export async function applyTemplateHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const templateId = templateIdOf(request);
  const body = await readJsonBody(request, applyTemplateBodySchema);
  return json(200, await applyTemplate(services.deps, caller, templateId, body));
}

export async function templateTenantsHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await templateTenants(services.deps, caller, templateIdOf(request)));
}
