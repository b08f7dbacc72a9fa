import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, DatePicker, InputNumber, Select, Space, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import type { WidgetProps } from '@rjsf/utils';
import dayjs from 'dayjs';
import { apiCall, getRecord, listRecords } from '../api/records';
import { authFetch } from '../api/session';
import { displayOf } from '../entities/model';
import { useEntities } from '../entities/queries';
import { useI18n } from '../i18n/i18n';

/** A relation picker: searches the target's display field as you type (the server's row rules apply). */
export function RelationWidget(props: WidgetProps) {
  const { target, multiple } = props.options as { target: string; multiple?: boolean };
  const entities = useEntities();
  const displayField = entities.data?.data.find((e) => e.name === target)?.displayField;
  const [text, setText] = useState('');
  const ids: number[] = multiple
    ? ((props.value as number[]) ?? [])
    : props.value
      ? [props.value as number]
      : [];
  const search = useQuery({
    queryKey: ['pick', target, displayField, text],
    enabled: !!displayField,
    staleTime: 10_000,
    queryFn: () =>
      listRecords(target, {
        filter: text ? { [displayField!]: { contains: text } } : {},
        limit: 20,
        sort: '-createdAt',
      }),
  });
  // the current values may not be in the first page of results: fetch them by id
  const chosen = useQuery({
    queryKey: ['pick-chosen', target, ids],
    enabled: ids.length > 0 && !!displayField,
    queryFn: () =>
      Promise.all(ids.map((id) => getRecord(target, id).catch(() => ({ id, version: 0 })))),
  });
  const options = new Map<number, string>();
  for (const r of chosen.data ?? []) options.set(r.id, displayOf(r, displayField ?? 'id'));
  for (const r of search.data?.data ?? []) options.set(r.id, displayOf(r, displayField ?? 'id'));
  return (
    <Select
      id={props.id}
      mode={multiple ? 'multiple' : undefined}
      showSearch={{ filterOption: false, onSearch: setText }}
      allowClear
      disabled={props.disabled || props.readonly}
      value={multiple ? ids : (props.value ?? undefined)}
      loading={search.isFetching}
      options={[...options.entries()].map(([value, label]) => ({ value, label }))}
      onChange={(v) => props.onChange(v ?? (multiple ? [] : undefined))}
      data-testid={`relation-${props.id}`}
      placeholder="—"
    />
  );
}

/** A currency amount with its code beside it. */
export function CurrencyWidget(props: WidgetProps) {
  const code = (props.options as { currency?: string }).currency ?? 'CNY';
  return (
    <InputNumber
      id={props.id}
      style={{ width: '100%' }}
      value={(props.value as number | null | undefined) ?? null}
      disabled={props.disabled || props.readonly}
      suffix={code}
      onChange={(v) => props.onChange(v ?? undefined)}
    />
  );
}

/** A date-time shown and picked in the browser's time zone, sent as an ISO instant. */
export function DateTimeWidget(props: WidgetProps) {
  return (
    <DatePicker
      id={props.id}
      showTime
      style={{ width: '100%' }}
      disabled={props.disabled || props.readonly}
      value={props.value ? dayjs(props.value as string) : null}
      onChange={(d) => props.onChange(d ? d.toISOString() : undefined)}
    />
  );
}

/** Upload to /api/files; the field keeps the file's id. */
export function FileWidget(props: WidgetProps) {
  const { t } = useI18n();
  const [name, setName] = useState<string | null>(null);
  const upload = async (file: File) => {
    const body = new FormData();
    body.append('file', file);
    const res = await authFetch(new Request('/api/files', { method: 'POST', body }));
    const json = (await res.json()) as { id?: string; message?: string };
    if (!res.ok || !json.id) throw new Error(json.message ?? res.statusText);
    setName(file.name);
    props.onChange(json.id);
  };
  return (
    <Space>
      <Upload
        showUploadList={false}
        beforeUpload={(f) => {
          void upload(f);
          return false;
        }}
        disabled={props.disabled || props.readonly}
      >
        <Button icon={<UploadOutlined />}>{t('record.upload')}</Button>
      </Upload>
      {props.value && <FileLink id={props.value as string} name={name} />}
    </Space>
  );
}

function FileLink({ id, name }: { id: string; name: string | null }) {
  const open = async () => {
    const res = await authFetch(new Request(`/api/files/${id}`));
    const blob = await res.blob();
    window.open(URL.createObjectURL(blob), '_blank');
  };
  return <a onClick={() => void open()}>{name ?? id.slice(0, 8)}</a>;
}

export { apiCall };
