import type { BadgeProps } from '@fluentui/react-components';
import type { LeaseRequest } from '../../hooks/useRequests';

/** A request's status in words and colour. */
export function statusOf(r: LeaseRequest): { text: string; color: BadgeProps['color'] } {
  switch (r.status) {
    case 'pending_approval':
      return { text: 'Waiting for approval', color: 'warning' };
    case 'scheduled':
      return { text: `Scheduled for ${new Date(r.startAt).toLocaleString()}`, color: 'informative' };
    case 'provisioning':
      return { text: 'Provisioning', color: 'informative' };
    case 'active':
      return { text: 'Active', color: 'success' };
    case 'revoking':
      return { text: 'Ending', color: 'informative' };
    case 'revocation_failed':
      return { text: 'Revocation failed', color: 'danger' };
    case 'ended':
      return { text: `Ended (${r.endReason.replace(/_/g, ' ')})`, color: 'subtle' };
    case 'failed':
      return { text: 'Failed', color: 'danger' };
  }
}
