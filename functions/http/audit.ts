import { app } from '@azure/functions';
import { listAuditHttp, verifyAuditHttp } from '../../src/http/audit';

app.http('listAudit', { route: 'audit', methods: ['GET'], authLevel: 'anonymous', handler: listAuditHttp });
app.http('verifyAudit', { route: 'audit/verify', methods: ['GET'], authLevel: 'anonymous', handler: verifyAuditHttp });
