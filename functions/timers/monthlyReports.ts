import { app } from '@azure/functions';
import { monthlyReportsTimer } from '../../src/http/reports';

// 06:00 UTC on the 1st of every month: last month's customer reports (NCRONTAB with seconds).
app.timer('monthlyReports', { schedule: '0 0 6 1 * *', handler: monthlyReportsTimer });
