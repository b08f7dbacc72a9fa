import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Modal, Space, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { ApiError } from '../api/client';
import { type ImportResult, importRecords } from '../api/records';
import { useAuth } from '../auth/AuthContext';
import type { FieldInfo } from '../entities/model';
import { useI18n } from '../i18n/i18n';
import { csvBlob, saveBlob } from './download';
import { fieldErrorWords } from '../record-show/errorMessages';
import { ErrorReport } from './ErrorReport';
import {
  type ReportRow,
  exportFileName,
  importReport,
  templateCsv,
  templateFields,
} from './transfer';

type Outcome =
  | { kind: 'done'; result: ImportResult }
  | { kind: 'failed'; message: string; rows: ReportRow[]; total: number };

/**
 * Upload a .csv or .xlsx file, validate it first (a dry run) or import it: the server imports all
 * or nothing, so a failure shows every bad row and field (the per-row report) and writes nothing.
 */
export function ImportDialog({
  entity,
  entityLabel,
  fields,
  open,
  onClose,
}: {
  entity: string;
  entityLabel: string;
  fields: FieldInfo[];
  open: boolean;
  onClose: () => void;
}) {
  const { t, label } = useI18n();
  const { ability } = useAuth();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'validate' | 'import' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const labelOf = (name: string) => {
    const f = byName.get(name);
    return f ? label(f.label, name) : undefined;
  };

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(dryRun ? 'validate' : 'import');
    try {
      const result = await importRecords(entity, file, { dryRun });
      setOutcome({ kind: 'done', result });
      if (!dryRun) await qc.invalidateQueries({ queryKey: ['records', entity] });
    } catch (e) {
      const body = e instanceof ApiError ? e.body : undefined;
      const rows = importReport(body?.errors ?? [], labelOf, fieldErrorWords(t, label, fields));
      const total = (body as { totalErrors?: number } | undefined)?.totalErrors ?? rows.length;
      setOutcome({ kind: 'failed', message: (e as Error).message, rows, total });
    } finally {
      setBusy(null);
    }
  };

  const template = () => {
    const cols = templateFields(fields, (f) => ability.can('create', entity, f));
    saveBlob(
      csvBlob(templateCsv(cols.map((f) => label(f.label, f.name)))),
      exportFileName(`${entityLabel}-${t('import.template')}`, 'csv', new Date()),
    );
  };

  const close = () => {
    setFile(null);
    setOutcome(null);
    onClose();
  };

  return (
    <Modal
      open={open}
      title={t('import.title', { entity: entityLabel })}
      onCancel={close}
      width={720}
      footer={
        <Space>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button
            disabled={!file}
            loading={busy === 'validate'}
            onClick={() => void run(true)}
            data-testid="import-validate"
          >
            {t('import.validate')}
          </Button>
          <Button
            type="primary"
            disabled={!file}
            loading={busy === 'import'}
            onClick={() => void run(false)}
            data-testid="import-run"
          >
            {t('import.run')}
          </Button>
        </Space>
      }
      data-testid="import-dialog"
    >
      <Typography.Paragraph type="secondary">{t('import.hint')}</Typography.Paragraph>
      <Button
        type="link"
        icon={<DownloadOutlined />}
        onClick={template}
        style={{ paddingInline: 0 }}
        data-testid="import-template"
      >
        {t('import.template')}
      </Button>
      <Upload.Dragger
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        maxCount={1}
        fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
        beforeUpload={(f) => {
          setFile(f);
          setOutcome(null);
          return false;
        }}
        onRemove={() => {
          setFile(null);
          setOutcome(null);
        }}
        data-testid="import-file"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('import.pick')}</p>
      </Upload.Dragger>
      {outcome?.kind === 'done' && (
        <Alert
          style={{ marginTop: 16 }}
          type="success"
          showIcon
          data-testid="import-result"
          title={
            outcome.result.dryRun
              ? t('import.valid', { n: outcome.result.valid ?? 0 })
              : t('import.done', { n: outcome.result.created })
          }
          description={
            outcome.result.ignoredColumns?.length
              ? t('import.ignored', { cols: outcome.result.ignoredColumns.join(', ') })
              : undefined
          }
        />
      )}
      {outcome?.kind === 'failed' && (
        <div style={{ marginTop: 16 }}>
          <Alert
            type="error"
            showIcon
            title={t('import.failed')}
            description={
              <>
                {outcome.message}
                {outcome.total > outcome.rows.length && (
                  <div>
                    {t('import.more', { shown: outcome.rows.length, total: outcome.total })}
                  </div>
                )}
              </>
            }
            data-testid="import-failed"
          />
          <div style={{ marginTop: 12 }}>
            <ErrorReport
              rows={outcome.rows}
              by="row"
              entity={entity}
              fileName={exportFileName(
                `${file?.name.replace(/\.\w+$/, '') ?? entityLabel}-errors`,
                'csv',
                new Date(),
              )}
            />
          </div>
        </div>
      )}
    </Modal>
  );
}
