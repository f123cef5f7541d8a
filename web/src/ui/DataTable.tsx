import {
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import type { ReactNode } from "react";

export interface DataRow {
  readonly key: string;
  readonly cells: readonly ReactNode[];
  readonly testId?: string;
}

const useStyles = makeStyles({
  // Text breaks anywhere (long addresses, room names); a table with more columns than a narrow window
  // holds scrolls inside this box, which takes focus so the keyboard can scroll it too.
  scroller: { maxWidth: "100%", overflowX: "auto", overflowWrap: "anywhere" },
});

/** A labelled table with a header row; cells are text or elements (React escapes the text). */
export function DataTable(props: { label: string; columns: readonly string[]; rows: readonly DataRow[] }) {
  const styles = useStyles();
  return (
    <div className={styles.scroller} role="region" aria-label={props.label} tabIndex={0}>
      <Table aria-label={props.label} size="small">
        <TableHeader>
          <TableRow>
            {props.columns.map((c) => (
              <TableHeaderCell key={c}>{c}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {props.rows.map((row) => (
            <TableRow key={row.key} data-testid={row.testId}>
              {row.cells.map((cell, i) => (
                <TableCell key={i}>{cell}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
