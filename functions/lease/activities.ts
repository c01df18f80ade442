import * as df from 'durable-functions';
import { getServices } from '../../src/composition';
import { leaseActivityHandler, leaseActivityNames } from '../../src/workflow/activities';

for (const name of leaseActivityNames)
  df.app.activity(name, { handler: leaseActivityHandler(name, () => getServices().deps) });
