import { DatePicker, Input, InputNumber, Select } from 'antd';
import type { WidgetProps } from '@rjsf/utils';
import dayjs from 'dayjs';
import type { FieldInfo } from '../entities/model';
import { useI18n } from '../i18n/i18n';
import { RelationWidget } from '../record-show/widgets';

/** The input for one field's new value, fitting its type (options, dates, numbers, a record). */
export function BulkValueInput({
  field: f,
  value,
  onChange,
}: {
  field: FieldInfo;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  const { t, label } = useI18n();
  const id = 'bulk-value';
  const options = (f.options ?? []).map((o) => ({
    value: o.value,
    label: label(o.label, o.value),
  }));
  switch (f.type) {
    case 'select':
    case 'multiSelect':
      return (
        <Select
          id={id}
          mode={f.type === 'multiSelect' ? 'multiple' : undefined}
          allowClear
          options={options}
          value={value ?? undefined}
          onChange={(v: unknown) => onChange(v)}
          style={{ width: '100%' }}
          data-testid={id}
        />
      );
    case 'boolean':
      return (
        <Select
          id={id}
          allowClear
          options={[
            { value: true, label: t('common.yes') },
            { value: false, label: t('common.no') },
          ]}
          value={value ?? undefined}
          onChange={(v: unknown) => onChange(v)}
          style={{ width: '100%' }}
          data-testid={id}
        />
      );
    case 'integer':
    case 'decimal':
    case 'percent':
    case 'currency':
      return (
        <InputNumber
          id={id}
          style={{ width: '100%' }}
          precision={f.type === 'integer' ? 0 : undefined}
          suffix={
            f.type === 'currency' ? (f.currency ?? 'CNY') : f.type === 'percent' ? '%' : undefined
          }
          value={(value as number | null | undefined) ?? null}
          onChange={(v) => onChange(v ?? undefined)}
          data-testid={id}
        />
      );
    case 'date':
    case 'datetime':
      return (
        <DatePicker
          id={id}
          showTime={f.type === 'datetime'}
          style={{ width: '100%' }}
          value={value ? dayjs(value as string) : null}
          onChange={(d) =>
            onChange(d ? (f.type === 'date' ? d.format('YYYY-MM-DD') : d.toISOString()) : undefined)
          }
          data-testid={id}
        />
      );
    case 'relation':
      // the record form's picker (search by display field); it only reads these props
      return (
        <RelationWidget
          {...({
            id,
            options: { target: f.relation!.target },
            value,
            onChange,
          } as unknown as WidgetProps)}
        />
      );
    case 'longText':
      return (
        <Input.TextArea
          id={id}
          rows={3}
          value={(value as string | undefined) ?? ''}
          onChange={(e) => onChange(e.target.value)}
          data-testid={id}
        />
      );
    default:
      return (
        <Input
          id={id}
          value={(value as string | undefined) ?? ''}
          onChange={(e) => onChange(e.target.value)}
          data-testid={id}
        />
      );
  }
}
