import { Button, Table } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n';
import { csvBlob, saveBlob } from './download';
import { type ReportRow, reportCsv } from './transfer';

/**
 * The per-row error report of an import (rows of the file) or a bulk edit (records), as a table
 * the user reads and a CSV they can download to fix their file by.
 */
export function ErrorReport({
  rows,
  by,
  entity,
  fileName,
  nameOf,
}: {
  rows: ReportRow[];
  /** What `at` is: a row of the uploaded file, or a record id. */
  by: 'row' | 'record';
  entity: string;
  fileName: string;
  /** A record's display text (bulk edit), beside its id. */
  nameOf?: (id: number) => string | undefined;
}) {
  const { t } = useI18n();
  const atTitle = by === 'row' ? t('report.row') : t('report.record');
  const download = () =>
    saveBlob(csvBlob(reportCsv(rows, [atTitle, t('report.field'), t('report.message')])), fileName);
  return (
    <div data-testid="error-report">
      <Table<ReportRow & { key: number }>
        size="small"
        pagination={rows.length > 10 ? { pageSize: 10, size: 'small' } : false}
        dataSource={rows.map((r, key) => ({ ...r, key }))}
        columns={[
          {
            key: 'at',
            title: atTitle,
            dataIndex: 'at',
            width: by === 'row' ? 80 : 200,
            render: (at: number | null) =>
              at === null ? (
                '—'
              ) : by === 'row' ? (
                at
              ) : (
                <Link to={`/records/${entity}/${at}`} target="_blank">
                  #{at} {nameOf?.(at) ?? ''}
                </Link>
              ),
          },
          { key: 'field', title: t('report.field'), dataIndex: 'field', width: 140 },
          { key: 'message', title: t('report.message'), dataIndex: 'message' },
        ]}
      />
      <Button
        size="small"
        icon={<DownloadOutlined />}
        onClick={download}
        style={{ marginTop: 8 }}
        data-testid="error-report-download"
      >
        {t('report.download')}
      </Button>
    </div>
  );
}
