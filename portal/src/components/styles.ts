import { makeStyles, tokens } from '@fluentui/react-components';

/** The layouts the pages share; a page keeps in its own makeStyles only what is its own. */
export const useSharedStyles = makeStyles({
  /** Things one under the other: a form's fields, a page's cards. */
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  /** The page's main buttons, above its list. */
  toolbar: { marginBottom: tokens.spacingVerticalM },
  /** Buttons side by side, wrapping on a narrow screen. */
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  /** A card's facts: a definition list, the terms in one column and their values beside them. */
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
  },
  /** Long ids and user principal names wrap anywhere rather than widen a table. */
  breakAnywhere: { overflowWrap: 'anywhere' },
});
