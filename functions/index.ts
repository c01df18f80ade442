// Every registration of the function app; package.json "main" points at the compiled file.
import './http/health';
import './http/requests';
import './lease/leaseOrchestrator';
import './lease/activities';
