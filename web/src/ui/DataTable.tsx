import {
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

/** A labelled table with a header row; cells are text or elements (React escapes the text). */
export function DataTable(props: { label: string; columns: readonly string[]; rows: readonly DataRow[] }) {
  return (
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
  );
}
