import { Table, TableBody, TableHeader, TableHeaderCell, TableRow, makeStyles } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  // A wide table scrolls sideways in its own box instead of widening the page.
  wrap: { overflowX: 'auto' },
});

/**
 * A table with a header row of `columns` and `children` as its rows (TableRow elements). Its
 * accessible name is `label`, or the heading whose id is `labelledBy`. `actionsColumn` adds a last
 * column for the row's buttons, its header read by screen readers only.
 */
export function DataTable(props: {
  readonly label?: string;
  readonly labelledBy?: string;
  readonly columns: readonly string[];
  readonly actionsColumn?: string;
  readonly classNames?: { readonly table?: string; readonly header?: string; readonly body?: string };
  readonly children: ReactNode;
}) {
  const styles = useStyles();
  return (
    <div className={styles.wrap}>
      <Table aria-label={props.label} aria-labelledby={props.labelledBy} className={props.classNames?.table}>
        <TableHeader className={props.classNames?.header}>
          <TableRow>
            {props.columns.map((column) => (
              <TableHeaderCell key={column}>{column}</TableHeaderCell>
            ))}
            {props.actionsColumn !== undefined ? (
              <TableHeaderCell>
                <span className="visually-hidden">{props.actionsColumn}</span>
              </TableHeaderCell>
            ) : null}
          </TableRow>
        </TableHeader>
        <TableBody className={props.classNames?.body}>{props.children}</TableBody>
      </Table>
    </div>
  );
}
