import type { ComponentChildren } from 'preact';

/** One column of a DataTable: its heading, its cell for a row, and how it reads. */
export interface Column<R> {
  label: string;
  cell: (row: R) => ComponentChildren;
  /** `num`: a number (aligned to the end, tabular figures); `ltr`: a code, a time or a file name kept left-to-right. */
  kind?: 'num' | 'ltr' | 'num ltr';
}

/**
 * The admin's table: it scrolls sideways inside its own box on a phone (the page never does), headings in
 * the reading direction, numbers aligned to the end. `rowClass` marks a row (e.g. `bad`).
 */
export function DataTable<R>({
  columns,
  rows,
  rowClass,
  caption,
}: {
  columns: Column<R>[];
  rows: readonly R[];
  rowClass?: (row: R) => string | undefined;
  caption?: string;
}) {
  const headed = columns.some((c) => c.label !== '');
  return (
    <div class="table-wrap">
      <table>
        {caption && <caption class="sr-only">{caption}</caption>}
        {headed && (
          <thead>
            <tr>
              {columns.map((c) => (
                <th class={c.kind?.includes('num') ? 'num' : undefined}>{c.label}</th>
              ))}
            </tr>
          </thead>
        )}
        <tbody>
          {rows.map((r) => (
            <tr class={rowClass?.(r)}>
              {columns.map((c) => (
                <td class={c.kind}>{c.cell(r)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
