import { useQuery } from '@tanstack/react-query';
import { Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { type HistoryEntry, recordHistory } from '../api/records';
import { ErrorState } from '../app/states';
import type { FieldInfo } from '../entities/model';
import { useI18n } from '../i18n/i18n';

const ACTION_COLOR: Record<HistoryEntry['action'], string | undefined> = {
  create: 'green',
  update: 'blue',
  delete: 'red',
  restore: 'cyan',
  share: 'purple',
  unshare: 'default',
  computed: undefined,
};

/**
 * Who did what to the record when, from GET /api/records/:entity/:id/history: one row per changed
 * field of an update; creates, deletes, restores and shares (the login shared with) as one row.
 */
export function HistoryTab({
  entity,
  id,
  fields,
}: {
  entity: string;
  id: number;
  fields: FieldInfo[];
}) {
  const { label, t } = useI18n();
  const q = useQuery({
    queryKey: ['history', entity, id],
    queryFn: () => recordHistory(entity, id),
  });
  if (q.error) return <ErrorState error={q.error} />;
  const byName = new Map(fields.map((f) => [f.name, f]));
  const show = (v: unknown, row?: HistoryEntry) => {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'object') return JSON.stringify(v);
    // rich text reads as its text: the markup is the editor's business
    if (row?.field && byName.get(row.field)?.type === 'richText')
      return new DOMParser().parseFromString(String(v), 'text/html').body.textContent ?? '';
    return String(v);
  };
  return (
    <Table<HistoryEntry>
      size="small"
      className="record-history"
      rowKey="id"
      loading={q.isLoading}
      dataSource={q.data?.data ?? []}
      pagination={{ pageSize: 20 }}
      scroll={{ x: 'max-content' }}
      columns={[
        {
          title: t('history.at'),
          dataIndex: 'at',
          render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm:ss') : '—'),
        },
        { title: t('history.actor'), dataIndex: 'actor', render: (v: unknown) => show(v) },
        {
          title: t('history.action'),
          dataIndex: 'action',
          render: (v: HistoryEntry['action']) => (
            <Tag color={ACTION_COLOR[v]}>{t(`history.${v}`)}</Tag>
          ),
        },
        {
          title: t('history.field'),
          dataIndex: 'field',
          render: (v: string | null) =>
            v && byName.get(v) ? label(byName.get(v)!.label) : (v ?? '—'),
        },
        { title: t('history.old'), dataIndex: 'old', render: (v: unknown, r) => show(v, r) },
        { title: t('history.new'), dataIndex: 'new', render: (v: unknown, r) => show(v, r) },
      ]}
    />
  );
}
