import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { CachedHealth, checkHealth } from '../app/health';
import { anonymous } from './endpoint';
import { json } from './respond';

let cached: CachedHealth | undefined;

export async function healthHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return anonymous(request, context, async ({ deps, settings }) => {
    const metadata = `${settings.JIT_AUTHORITY_HOST.replace(/\/+$/, '')}/${settings.JIT_HOME_TENANT_ID}/v2.0/.well-known/openid-configuration`;
    cached ??= new CachedHealth(() => checkHealth(deps, metadata));
    const health = await cached.get();
    return json(health.status === 'ok' ? 200 : 503, health);
  });
}
