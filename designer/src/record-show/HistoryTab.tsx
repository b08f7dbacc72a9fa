import { useQuery } from '@tanstack/react-query';
import { Table } from 'antd';
import dayjs from 'dayjs';
import { recordHistory } from '../api/records';
import { ErrorState } from '../app/states';
import type { FieldInfo } from '../entities/model';
import { useI18n } from '../i18n/i18n';

/** Who changed which field when, from GET /api/records/:entity/:id/history. */
export function HistoryTab({
  entity,
  id,
  fields,
}: {
  entity: string;
  id: number;
  fields: FieldInfo[];
}) {
  const { label } = useI18n();
  const q = useQuery({
    queryKey: ['history', entity, id],
    queryFn: () => recordHistory(entity, id),
  });
  if (q.error) return <ErrorState error={q.error} />;
  const byName = new Map(fields.map((f) => [f.name, f]));
  const show = (v: unknown) =>
    v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return (
    <Table
      size="small"
      rowKey={(_r, i) => String(i)}
      loading={q.isLoading}
      dataSource={q.data?.data ?? []}
      pagination={{ pageSize: 20 }}
      scroll={{ x: 'max-content' }}
      columns={[
        {
          title: '⏱',
          dataIndex: 'at',
          render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm:ss'),
        },
        { title: '👤', dataIndex: 'by' },
        {
          title: '∆',
          dataIndex: 'field',
          render: (v: string) => (v && byName.get(v) ? label(byName.get(v)!.label) : v),
        },
        { title: '−', dataIndex: 'old', render: show },
        { title: '+', dataIndex: 'new', render: show },
      ]}
    />
  );
}
