import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Empty, Form, Modal, Select, Space, Typography } from 'antd';
import { ApiError } from '../api/client';
import { type RecordData, bulkWrite } from '../api/records';
import { useAuth } from '../auth/AuthContext';
import { displayOf, type FieldInfo } from '../entities/model';
import { useI18n } from '../i18n/i18n';
import { BulkValueInput } from './BulkValueInput';
import { fieldErrorWords } from '../record-show/errorMessages';
import { ErrorReport } from './ErrorReport';
import {
  type ReportRow,
  bulkEditableFields,
  bulkReport,
  bulkValue,
  exportFileName,
  failedIds,
} from './transfer';

/**
 * One field set to one value on the selected records, through the bulk route with each record's
 * version. The server writes all or nothing: records it refuses (no right, changed meanwhile,
 * gone) come back as per-record errors, and the user may apply the edit to the others.
 */
export function BulkEditDialog({
  entity,
  entityLabel,
  displayField,
  fields,
  records,
  open,
  onClose,
  onDone,
}: {
  entity: string;
  entityLabel: string;
  displayField: string;
  fields: FieldInfo[];
  records: RecordData[];
  open: boolean;
  onClose: () => void;
  /** After a successful write: the selection is done with. */
  onDone: () => void;
}) {
  const { t, label } = useI18n();
  const { ability } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [name, setName] = useState<string>();
  const [value, setValue] = useState<unknown>();
  const [report, setReport] = useState<ReportRow[]>([]);
  const [failed, setFailed] = useState<number[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const editable = bulkEditableFields(fields, (f) => ability.can('update', entity, f));
  const field = editable.find((f) => f.name === name);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const labelOf = (n: string) => {
    const f = byName.get(n);
    return f ? label(f.label, n) : undefined;
  };
  const rest = records.filter((r) => !failed.includes(r.id));

  const reset = () => {
    setReport([]);
    setFailed([]);
    setError(undefined);
  };
  const close = () => {
    reset();
    setName(undefined);
    setValue(undefined);
    onClose();
  };

  const apply = async (targets: RecordData[]) => {
    if (!field || targets.length === 0) return;
    setBusy(true);
    const patch = bulkValue(field, value);
    try {
      await bulkWrite(
        entity,
        targets.map((r) => ({ id: r.id, version: r.version, [field.name]: patch })),
      );
      message.success(t('bulk.done', { n: targets.length }));
      await qc.invalidateQueries({ queryKey: ['records', entity] });
      onDone();
      close();
    } catch (e) {
      const rows = bulkReport(
        e instanceof ApiError ? e.body.errors : [],
        targets.map((r) => r.id),
        labelOf,
        fieldErrorWords(t, label, fields),
      );
      setError((e as Error).message);
      // a report grows as tries reveal more records the edit cannot reach
      setReport((prev) => [...prev, ...rows]);
      setFailed((prev) => [...new Set([...prev, ...failedIds(rows)])]);
    } finally {
      setBusy(false);
    }
  };

  const names = new Map(records.map((r) => [r.id, displayOf(r, displayField)]));
  return (
    <Modal
      open={open}
      title={t('bulk.title', { n: records.length })}
      onCancel={close}
      width={720}
      footer={
        <Space>
          <Button onClick={close}>{t('common.cancel')}</Button>
          {failed.length > 0 && rest.length > 0 && (
            <Button loading={busy} onClick={() => void apply(rest)} data-testid="bulk-apply-rest">
              {t('bulk.applyRest', { n: rest.length })}
            </Button>
          )}
          <Button
            type="primary"
            disabled={!field || failed.length > 0}
            loading={busy && failed.length === 0}
            onClick={() => void apply(records)}
            data-testid="bulk-apply"
          >
            {t('bulk.apply')}
          </Button>
        </Space>
      }
      data-testid="bulk-dialog"
    >
      {editable.length === 0 ? (
        <Empty description={t('bulk.noFields')} />
      ) : (
        <Form layout="vertical">
          <Form.Item label={t('bulk.field')}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              value={name}
              onChange={(n: string) => {
                setName(n);
                setValue(undefined);
                reset();
              }}
              options={editable.map((f) => ({ value: f.name, label: label(f.label, f.name) }))}
              data-testid="bulk-field"
            />
          </Form.Item>
          {field && (
            <Form.Item
              label={t('bulk.value')}
              extra={!field.required && t('bulk.emptyClears')}
              required={field.required}
            >
              <BulkValueInput
                key={field.name}
                field={field}
                value={value}
                onChange={(v) => {
                  setValue(v);
                  reset();
                }}
              />
            </Form.Item>
          )}
        </Form>
      )}
      {report.length > 0 && (
        <>
          <Alert
            type="error"
            showIcon
            title={t('bulk.failed')}
            description={<Typography.Text type="secondary">{error}</Typography.Text>}
            style={{ marginBottom: 12 }}
            data-testid="bulk-failed"
          />
          <ErrorReport
            rows={report}
            by="record"
            entity={entity}
            nameOf={(id) => names.get(id)}
            fileName={exportFileName(`${entityLabel}-errors`, 'csv', new Date())}
          />
        </>
      )}
    </Modal>
  );
}
