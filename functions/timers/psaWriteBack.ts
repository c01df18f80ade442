import { app } from '@azure/functions';
import { PSA_WRITE_BACK_SCHEDULE, psaWriteBackTimer } from '../../src/workflow/psaWriteBackTimer';

app.timer('psaWriteBack', { schedule: PSA_WRITE_BACK_SCHEDULE, handler: psaWriteBackTimer });
