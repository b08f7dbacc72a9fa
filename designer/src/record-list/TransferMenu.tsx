import { useState } from 'react';
import { App, Button, Dropdown } from 'antd';
import { DownOutlined, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { type ExportFormat, type ExportQuery, exportRecords } from '../api/records';
import { useAuth } from '../auth/AuthContext';
import type { FieldInfo } from '../entities/model';
import { useI18n } from '../i18n/i18n';
import { saveBlob } from './download';
import { ImportDialog } from './ImportDialog';
import { exportFileName } from './transfer';

/**
 * The list's "Export ▾ CSV / Excel" and "Import" buttons. Export downloads what the list shows
 * (its filter, sort and columns) through the authorised fetch; each button shows only to users
 * whose packed rules allow it (the server checks again).
 */
export function TransferMenu({
  entity,
  entityLabel,
  fields,
  query,
}: {
  entity: string;
  entityLabel: string;
  fields: FieldInfo[];
  query: ExportQuery;
}) {
  const { t } = useI18n();
  const { ability } = useAuth();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [importing, setImporting] = useState(false);

  const download = async (format: ExportFormat) => {
    setBusy(true);
    try {
      const blob = await exportRecords(entity, format, query);
      saveBlob(blob, exportFileName(entityLabel, format, new Date()));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // an import creates records: it needs both rights
  const mayImport = ability.can('import', entity) && ability.can('create', entity);
  return (
    <>
      {ability.can('export', entity) && (
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              {
                key: 'xlsx',
                label: <span data-testid="export-xlsx">{t('list.exportXlsx')}</span>,
              },
              { key: 'csv', label: <span data-testid="export-csv">{t('list.exportCsv')}</span> },
            ],
            onClick: ({ key }) => void download(key as ExportFormat),
          }}
        >
          <Button icon={<DownloadOutlined />} loading={busy} data-testid="export-button">
            {t('list.export')} <DownOutlined />
          </Button>
        </Dropdown>
      )}
      {mayImport && (
        <>
          <Button
            icon={<UploadOutlined />}
            onClick={() => setImporting(true)}
            data-testid="import-button"
          >
            {t('list.import')}
          </Button>
          <ImportDialog
            entity={entity}
            entityLabel={entityLabel}
            fields={fields}
            open={importing}
            onClose={() => setImporting(false)}
          />
        </>
      )}
    </>
  );
}
