import { app } from '@azure/functions';
import {
  createRuleHttp,
  deleteRuleHttp,
  getRuleHttp,
  listRulesHttp,
  replaceRuleHttp,
} from '../../src/http/admin/rules';

app.http('createRule', { route: 'rules', methods: ['POST'], authLevel: 'anonymous', handler: createRuleHttp });
app.http('listRules', { route: 'rules', methods: ['GET'], authLevel: 'anonymous', handler: listRulesHttp });
app.http('getRule', { route: 'rules/{ruleId}', methods: ['GET'], authLevel: 'anonymous', handler: getRuleHttp });
app.http('replaceRule', {
  route: 'rules/{ruleId}',
  methods: ['PUT'],
  authLevel: 'anonymous',
  handler: replaceRuleHttp,
});
app.http('deleteRule', {
  route: 'rules/{ruleId}',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  handler: deleteRuleHttp,
});
