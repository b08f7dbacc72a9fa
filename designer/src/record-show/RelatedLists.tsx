import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, List, Space } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { listRecords } from '../api/records';
import { Can } from '../auth/AuthContext';
import { displayOf } from '../entities/model';
import { useEntities } from '../entities/queries';
import { useI18n } from '../i18n/i18n';

interface Inverse {
  name: string;
  entity: string;
  field: string;
  label: { 'zh-CN': string; en: string };
}

/** The records pointing at this one (each inverse), with "new" pre-filled with this record. */
export function RelatedLists({
  entity,
  id,
  inverses,
}: {
  entity: string;
  id: number;
  inverses: Inverse[];
}) {
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {inverses.map((inv) => (
        <Related key={`${inv.entity}.${inv.field}`} inv={inv} id={id} parent={entity} />
      ))}
    </Space>
  );
}

function Related({ inv, id }: { inv: Inverse; id: number; parent: string }) {
  const { t, label } = useI18n();
  const entities = useEntities();
  const display = entities.data?.data.find((e) => e.name === inv.entity)?.displayField ?? 'id';
  const q = useQuery({
    queryKey: ['records', inv.entity, 'related', inv.field, id],
    queryFn: () =>
      listRecords(inv.entity, {
        filter: { [inv.field]: id },
        limit: 20,
        sort: '-createdAt',
        count: true,
      }),
  });
  return (
    <Card
      size="small"
      title={`${label(inv.label)} (${q.data?.count ?? '…'})`}
      extra={
        <Can I="create" a={inv.entity}>
          <Link to={`/records/${inv.entity}/new?${inv.field}=${id}`}>
            <Button size="small" icon={<PlusOutlined />} data-testid={`related-new-${inv.entity}`}>
              {t('common.create')}
            </Button>
          </Link>
        </Can>
      }
    >
      <List
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.data ?? []}
        locale={{ emptyText: t('common.empty') }}
        renderItem={(r) => (
          <List.Item>
            <Link to={`/records/${inv.entity}/${r.id}`}>{displayOf(r, display)}</Link>
          </List.Item>
        )}
      />
    </Card>
  );
}
