import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createRule, deleteRule, getRule, listRules, replaceRule } from '../../app/config/rules';
import { createRuleBodySchema, replaceRuleBodySchema } from '../../app/config/schemas';
import { readJsonBody } from '../parse';
import { json } from '../respond';
import { asAdmin, etagHeader, noContent, preconditionOf, slugOf } from './conditional';

export async function createRuleHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const body = await readJsonBody(request, createRuleBodySchema);
    const rule = await createRule(deps, caller, body);
    const location = new URL(`/api/rules/${rule.value.ruleId}`, request.url).toString();
    return json(201, rule.value, { Location: location, ...etagHeader(rule.etag) });
  });
}

export async function listRulesHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => json(200, { items: await listRules(deps, caller) }));
}

export async function getRuleHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const rule = await getRule(deps, caller, slugOf(request, 'ruleId'));
    return json(200, rule.value, etagHeader(rule.etag));
  });
}

export async function replaceRuleHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const ruleId = slugOf(request, 'ruleId');
    const body = await readJsonBody(request, replaceRuleBodySchema);
    const rule = await replaceRule(deps, caller, ruleId, body, preconditionOf(request));
    return json(200, rule.value, etagHeader(rule.etag));
  });
}

export async function deleteRuleHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    await deleteRule(deps, caller, slugOf(request, 'ruleId'), preconditionOf(request));
    return noContent();
  });
}
