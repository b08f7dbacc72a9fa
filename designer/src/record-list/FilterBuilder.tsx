import { Button, DatePicker, Input, InputNumber, Select, Space, Switch } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { FieldInfo } from '../entities/model';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { type Condition, type FilterOp, operatorsFor } from './filter';

const OP_LABEL: Record<FilterOp, MessageKey> = {
  eq: 'filter.eq',
  ne: 'filter.ne',
  contains: 'filter.contains',
  startsWith: 'filter.startsWith',
  gt: 'filter.gt',
  gte: 'filter.gte',
  lt: 'filter.lt',
  lte: 'filter.lte',
  between: 'filter.between',
  in: 'filter.in',
  isNull: 'filter.isNull',
  notNull: 'filter.notNull',
  relContains: 'filter.contains',
};

/** Rows of field / operator / value, the value input fitting the field's type. */
export function FilterBuilder({
  fields,
  value,
  onChange,
}: {
  fields: FieldInfo[];
  value: Condition[];
  onChange(v: Condition[]): void;
}) {
  const { t, label } = useI18n();
  const byName = new Map(fields.map((f) => [f.name, f]));
  const set = (i: number, patch: Partial<Condition>) =>
    onChange(value.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const add = () => {
    const f = fields[0];
    onChange([...value, { field: f.name, op: operatorsFor(f)[0] }]);
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="filter-builder">
      {value.map((c, i) => {
        const f = byName.get(c.field) ?? fields[0];
        const ops = operatorsFor(f);
        return (
          <Space key={i} wrap>
            <Select
              style={{ width: 160 }}
              showSearch
              optionFilterProp="label"
              value={c.field}
              options={fields.map((x) => ({ value: x.name, label: label(x.label, x.name) }))}
              onChange={(field) =>
                set(i, {
                  field,
                  op: operatorsFor(byName.get(field)!)[0],
                  value: undefined,
                  value2: undefined,
                })
              }
              data-testid={`filter-field-${i}`}
            />
            <Select
              style={{ width: 110 }}
              value={c.op}
              options={ops.map((o) => ({ value: o, label: t(OP_LABEL[o]) }))}
              onChange={(op) => set(i, { op })}
            />
            <ValueInput field={f} cond={c} onChange={(p) => set(i, p)} />
            <Button
              icon={<DeleteOutlined />}
              onClick={() => onChange(value.filter((_c, j) => j !== i))}
              aria-label="remove"
            />
          </Space>
        );
      })}
      <Button icon={<PlusOutlined />} onClick={add} type="dashed" data-testid="filter-add">
        {t('list.addCondition')}
      </Button>
    </Space>
  );
}

function ValueInput({
  field: f,
  cond: c,
  onChange,
}: {
  field: FieldInfo;
  cond: Condition;
  onChange(p: Partial<Condition>): void;
}) {
  const { label } = useI18n();
  if (c.op === 'isNull' || c.op === 'notNull') return null;
  const dateLike =
    f.type === 'date' || f.type === 'datetime' || (f.type === 'system' && /At$/.test(f.name));
  if (dateLike) {
    const toValue = (d: dayjs.Dayjs | null, end: boolean) =>
      d
        ? f.type === 'date'
          ? d.format('YYYY-MM-DD')
          : (end ? d.endOf('day') : d.startOf('day')).toISOString()
        : undefined;
    if (c.op === 'between')
      return (
        <DatePicker.RangePicker
          value={[
            c.value ? dayjs(c.value as string) : null,
            c.value2 ? dayjs(c.value2 as string) : null,
          ]}
          onChange={(r) =>
            onChange({
              value: toValue(r?.[0] ?? null, false),
              value2: toValue(r?.[1] ?? null, true),
            })
          }
        />
      );
    return (
      <DatePicker
        value={c.value ? dayjs(c.value as string) : null}
        onChange={(d) => onChange({ value: toValue(d, c.op === 'lte') })}
      />
    );
  }
  if (['integer', 'decimal', 'percent', 'currency'].includes(f.type)) {
    if (c.op === 'between')
      return (
        <Space.Compact>
          <InputNumber
            value={c.value as number}
            onChange={(v) => onChange({ value: v ?? undefined })}
          />
          <InputNumber
            value={c.value2 as number}
            onChange={(v) => onChange({ value2: v ?? undefined })}
          />
        </Space.Compact>
      );
    return (
      <InputNumber
        value={c.value as number}
        onChange={(v) => onChange({ value: v ?? undefined })}
        addonAfter={f.currency}
      />
    );
  }
  if (f.type === 'select' || f.type === 'multiSelect') {
    const options = (f.options ?? []).map((o) => ({ value: o.value, label: label(o.label) }));
    if (c.op === 'in')
      return (
        <Select
          mode="multiple"
          style={{ minWidth: 180 }}
          value={(c.value as string[]) ?? []}
          options={options}
          onChange={(v) => onChange({ value: v })}
        />
      );
    return (
      <Select
        style={{ minWidth: 140 }}
        value={c.value as string}
        options={options}
        onChange={(v) => onChange({ value: v })}
      />
    );
  }
  if (f.type === 'boolean')
    return <Switch checked={c.value === true} onChange={(v) => onChange({ value: v })} />;
  if (f.type === 'relation' && c.op !== 'relContains')
    return (
      <InputNumber
        min={1}
        placeholder="id"
        value={c.value as number}
        onChange={(v) => onChange({ value: v ?? undefined })}
      />
    );
  return (
    <Input
      style={{ width: 180 }}
      value={(c.value as string) ?? ''}
      onChange={(e) => onChange({ value: e.target.value })}
      data-testid="filter-value"
    />
  );
}
