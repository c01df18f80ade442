// Every registration of the function app; package.json "main" points at the compiled file.
import './invocationLogging';
import './http/health';
import './http/requests';
import './http/webhooks';
import './http/integrations';
import './http/audit';
import './http/tenants';
import './http/targets';
import './http/rules';
import './http/entitlements';
import './http/openapi';
import './lease/leaseOrchestrator';
import './lease/activities';
import './timers/reconciler';
