import type { TableColumnType } from 'antd';
import type { Dispatch, SetStateAction } from 'react';
import type { RecordData } from '../api/records';
import { CheckboxLook } from '../app/CheckboxLook';
import { type GroupRow, isGroupRow, pageSelection } from './view';

/**
 * The list's selection column on the first screen's first render: the same cells antd's
 * rowSelection draws (its classes, its width, CheckboxLook's checkboxes; screenshots identical),
 * as a plain column. antd's selection hook walks every row for its keys and checkbox props and
 * wraps the columns before the rows can show (20–35 ms of the render that shows them); ListPage
 * switches to rowSelection once the rows have painted (useFirstPaintDone). Clicks select the same
 * rows meanwhile, the header's "select all" included.
 */
export function firstSelectionColumn(
  rows: Array<RecordData | GroupRow>,
  selected: number[],
  setSelected: Dispatch<SetStateAction<number[]>>,
): TableColumnType<RecordData | GroupRow> {
  const { ids, all, some } = pageSelection(rows, selected);
  return {
    key: 'selection-first-render',
    className: 'ant-table-selection-column',
    // antd's selection column is as wide as this variable (antd.css, .ant-table-selection-col)
    width: 'var(--ant-table-selection-column-width)',
    title: (
      <div className="ant-table-selection">
        <CheckboxLook
          checked={all}
          indeterminate={some}
          label="Select all"
          disabled={ids.length === 0}
          onChange={(on) => setSelected(on ? ids : [])}
        />
      </div>
    ),
    render: (_v, r, i) => {
      if (isGroupRow(r)) return null;
      const checked = selected.includes(r.id as number);
      return (
        <CheckboxLook
          checked={checked}
          // antd's own labels
          label={checked ? `Row ${i + 1} selected` : `Select row ${i + 1}`}
          onChange={(on) =>
            setSelected((s) => (on ? [...s, r.id as number] : s.filter((id) => id !== r.id)))
          }
        />
      );
    },
  };
}
