import type { LeaseRequest } from '../../hooks/useRequests';

/**
 * A request's approval progress as description-list rows: "Approvals: 1 of 2", the stage waiting now
 * (when the policy has several), and who approved so far with their comments.
 */
export function ApprovalFacts(props: { readonly request: LeaseRequest }) {
  const progress = props.request.approval;
  if (progress === undefined) return null;
  const stageName = (index: number) => progress.stages[index - 1]?.name ?? `stage ${index}`;
  return (
    <>
      <dt>Approvals</dt>
      <dd>
        {progress.received} of {progress.required}
      </dd>
      {progress.stage !== null && progress.stages.length > 1 ? (
        <>
          <dt>Stage</dt>
          <dd>
            {progress.stage.name} ({progress.stage.index} of {progress.stage.of})
          </dd>
        </>
      ) : null}
      <dt>Approved so far by</dt>
      <dd>
        {progress.approvals.length === 0 ? (
          'Nobody yet'
        ) : (
          <ul aria-label="Approved so far by">
            {progress.approvals.map((a) => (
              <li key={`${a.by}-${a.stage}`}>
                {a.by}
                {progress.stages.length > 1 ? ` (${stageName(a.stage)})` : ''}
                {a.comment ? `: “${a.comment}”` : ''}
              </li>
            ))}
          </ul>
        )}
      </dd>
    </>
  );
}

/** The tenant's and target's names as the request carries them, else as the page knows them. */
export function namesOf(
  r: LeaseRequest,
  names: { tenant(tenantId: string): string; target(tenantId: string, targetId: string): string },
): { tenant: string; target: string } {
  return {
    tenant: r.tenantName ?? names.tenant(r.tenantId),
    target: r.targetName ?? names.target(r.tenantId, r.targetId),
  };
}
