import { app, type InvocationContext } from '@azure/functions';
import { withInvocationLog } from '../src/structuredLog';

// Every invocation runs with its own context as the home of the app's structured log lines, so
// they reach Application Insights under Function.<name>.User (see src/structuredLog.ts).
app.hook.preInvocation((hook) => {
  const handler = hook.functionHandler;
  const context = hook.invocationContext;
  hook.functionHandler = (triggerInput: unknown, invocationContext: InvocationContext): unknown =>
    withInvocationLog(context, (): unknown => handler(triggerInput, invocationContext));
});
