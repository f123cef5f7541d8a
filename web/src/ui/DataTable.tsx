import {
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { Fragment, type ReactNode } from "react";

export interface DataRow {
  readonly key: string;
  readonly cells: readonly ReactNode[];
  readonly testId?: string;
}

const useStyles = makeStyles({
  // Cells wrap at spaces and at an address's punctuation (Breakable); a table wider than a narrow
  // window scrolls inside this box, which takes focus so the keyboard can scroll it too.
  scroller: { maxWidth: "100%", overflowX: "auto", overflowWrap: "break-word" },
});

/**
 * Text that may wrap after `@ _ - /` and a `.` before a letter as well as at spaces, so a long e-mail
 * address or room mailbox wraps at its natural points instead of widening its column.
 */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[@_/-])|(?<=\.)(?=\p{L})/u);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i === 0 ? null : <wbr />}
          {part}
        </Fragment>
      ))}
    </>
  );
}

/** A labelled table with a header row; cells are text or elements (React escapes the text). */
export function DataTable(props: { label: string; columns: readonly string[]; rows: readonly DataRow[] }) {
  const styles = useStyles();
  return (
    <div className={styles.scroller} role="region" aria-label={props.label} tabIndex={0}>
      {/* Fluent's table shares its width equally among columns: below about 6rem a column would break
          inside words, so a table that narrow scrolls in its box instead. */}
      <Table aria-label={props.label} size="small" style={{ minWidth: `${props.columns.length * 6}rem` }}>
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
                <TableCell key={i}>{typeof cell === "string" ? <Breakable text={cell} /> : cell}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
