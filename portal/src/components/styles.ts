import { makeStyles, tokens } from '@fluentui/react-components';

/** A dialog's fields, one under the other. */
export const useFormStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** A list page: the toolbar above the table and a row's buttons side by side. */
export const usePageStyles = makeStyles({
  bar: { marginBottom: tokens.spacingVerticalM },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  /** Long ids and user principal names wrap anywhere rather than widen the table. */
  cell: { overflowWrap: 'anywhere' },
});
