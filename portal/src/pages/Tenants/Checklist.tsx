import { Badge, Text, makeStyles, tokens } from '@fluentui/react-components';
import { CHECK_LABELS, type ChecklistItem } from './checks';

const useStyles = makeStyles({
  list: {
    listStyleType: 'none',
    padding: 0,
    margin: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  item: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  head: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  text: { overflowWrap: 'anywhere' },
});

const BADGE = {
  passed: { text: 'Passed', color: 'success' },
  failed: { text: 'Failed', color: 'danger' },
  unverified: { text: 'Not verified', color: 'informative' },
} as const;

/**
 * The tenant's verification as a checklist, each check by its name; a failing check with what was
 * found and its fix. Checks that could not run because of it are named once under it, not each
 * repeating "fix that one first".
 */
export function Checklist(props: { readonly label: string; readonly items: readonly ChecklistItem[] }) {
  const styles = useStyles();
  const waiting = (name: string) => props.items.filter((i) => i.blockedBy === name).map((i) => CHECK_LABELS[i.name]);
  return (
    <ul aria-label={props.label} className={styles.list}>
      {props.items
        .filter((item) => item.blockedBy === undefined)
        .map((item) => (
          <li key={item.name} className={styles.item}>
            <span className={styles.head}>
              <Badge appearance="filled" color={BADGE[item.state].color}>
                {BADGE[item.state].text}
              </Badge>
              <Text weight="semibold">{CHECK_LABELS[item.name]}</Text>
            </span>
            {item.state === 'failed' && item.detail ? <Text className={styles.text}>Found: {item.detail}</Text> : null}
            {item.state === 'failed' && item.fix ? <Text className={styles.text}>Fix: {item.fix}</Text> : null}
            <Waiting names={waiting(item.name)} className={styles.text} />
          </li>
        ))}
    </ul>
  );
}

function Waiting(props: { readonly names: readonly string[]; readonly className: string }) {
  const count = props.names.length;
  if (count === 0) return null;
  return (
    <Text className={props.className}>
      {count === 1 ? '1 more check waits' : `${count} more checks wait`} for this one: {props.names.join('; ')}.
    </Text>
  );
}
