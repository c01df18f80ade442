// Every registration of the function app; package.json "main" points at the compiled file.
import './invocationLogging';
import './http/operations';
import './lease/leaseOrchestrator';
import './lease/activities';
import './timers/reconciler';
import './timers/psaWriteBack';
import './timers/monthlyReports';
