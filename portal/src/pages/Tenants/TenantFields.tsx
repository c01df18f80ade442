import { useState } from 'react';
import { TextField } from '../../components/TextField';
import { listOf } from '../../textFields';

/** What "Connect tenant" and "Edit tenant" both ask of a tenant, as typed (lists comma-separated). */
export function useTenantDraft(initial: {
  readonly displayName: string;
  readonly jitDomain: string;
  readonly tags: readonly string[];
  readonly protectedAccounts: readonly string[];
}) {
  const [displayName, setDisplayName] = useState(initial.displayName);
  const [jitDomain, setJitDomain] = useState(initial.jitDomain);
  const [tags, setTags] = useState(initial.tags.join(', '));
  const [protectedAccounts, setProtectedAccounts] = useState(initial.protectedAccounts.join(', '));
  const values = {
    displayName: displayName.trim(),
    jitDomain: jitDomain.trim(),
    tags: listOf(tags),
    protectedAccounts: listOf(protectedAccounts),
  };
  return {
    displayName,
    setDisplayName,
    jitDomain,
    setJitDomain,
    tags,
    setTags,
    protectedAccounts,
    setProtectedAccounts,
    values,
  };
}

export type TenantDraft = ReturnType<typeof useTenantDraft>;

/** The tenant's name, JIT domain, tags and protected accounts. */
export function TenantFields(props: {
  readonly draft: TenantDraft;
  readonly fieldError: (field: string) => string | undefined;
}) {
  const { draft, fieldError } = props;
  return (
    <>
      <TextField
        label="Display name"
        required
        validationMessage={fieldError('displayName')}
        value={draft.displayName}
        onChange={draft.setDisplayName}
      />
      <TextField
        label="JIT domain"
        required
        hint="A managed, verified domain of the tenant for the JIT accounts"
        validationMessage={fieldError('jitDomain')}
        value={draft.jitDomain}
        onChange={draft.setJitDomain}
      />
      <TextField
        label="Tags"
        hint="Comma-separated, for rules scoped to a tag"
        validationMessage={fieldError('tags')}
        value={draft.tags}
        onChange={draft.setTags}
      />
      <TextField
        label="Protected accounts"
        hint="Comma-separated user principal names the service must never touch (break-glass accounts)"
        validationMessage={fieldError('protectedAccounts')}
        value={draft.protectedAccounts}
        onChange={draft.setProtectedAccounts}
      />
    </>
  );
}
