import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { checkHealth } from '../app/health';
import { anonymous } from './endpoint';
import { json } from './respond';

export async function healthHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return anonymous(request, context, async ({ deps, settings }) => {
    const metadata = `${settings.JIT_AUTHORITY_HOST.replace(/\/+$/, '')}/${settings.JIT_HOME_TENANT_ID}/v2.0/.well-known/openid-configuration`;
    const health = await checkHealth(deps, metadata);
    return json(health.status === 'ok' ? 200 : 503, health);
  });
}
