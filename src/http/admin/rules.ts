import type { HttpResponseInit } from '@azure/functions';
import { createRule, deleteRule, getRule, listRules, replaceRule } from '../../app/config/rules';
import { createRuleBodySchema, replaceRuleBodySchema } from '../../app/config/schemas';
import type { AuthenticatedCall } from '../operations/operation';
import { readJsonBody } from '../parse';
import { json } from '../respond';
import { etagHeader, noContent, preconditionOf, slugOf } from './conditional';

export async function createRuleHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, createRuleBodySchema);
  const rule = await createRule(services.deps, caller, body);
  const location = new URL(`/api/rules/${rule.value.ruleId}`, request.url).toString();
  return json(201, rule.value, { Location: location, ...etagHeader(rule.etag) });
}

export async function listRulesHttp({ caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, { items: await listRules(services.deps, caller) });
}

export async function getRuleHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const rule = await getRule(services.deps, caller, slugOf(request, 'ruleId'));
  return json(200, rule.value, etagHeader(rule.etag));
}

export async function replaceRuleHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const ruleId = slugOf(request, 'ruleId');
  const body = await readJsonBody(request, replaceRuleBodySchema);
  const rule = await replaceRule(services.deps, caller, ruleId, body, preconditionOf(request));
  return json(200, rule.value, etagHeader(rule.etag));
}

export async function deleteRuleHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  await deleteRule(services.deps, caller, slugOf(request, 'ruleId'), preconditionOf(request));
  return noContent();
}
