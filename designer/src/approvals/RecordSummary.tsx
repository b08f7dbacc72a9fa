import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions } from 'antd';
import { getRecord } from '../api/records';
import { ErrorState, Loading } from '../app/states';
import { displayOf, fieldsOf } from '../entities/model';
import { useEntities, useEntitySchema } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { formatValue, relatedText } from '../record-show/format';

/**
 * The record a task is about: its display value (a link to the record page) and its first
 * fields, read as the approver may read it (many-to-one fields by their display value).
 */
export function RecordSummary({ record }: { record: { entity: string; id: number } }) {
  const { t, label } = useI18n();
  const schema = useEntitySchema(record.entity);
  const entities = useEntities();
  const displayFieldOf = (e: string) => entities.data?.data.find((x) => x.name === e)?.displayField;
  const manyToOne = schema.data
    ? fieldsOf(schema.data)
        .filter((x) => x.relation?.kind === 'manyToOne')
        .map((x) => x.name)
    : [];
  const data = useQuery({
    queryKey: ['record', record.entity, record.id, 'summary'],
    enabled: !!schema.data,
    queryFn: () => getRecord(record.entity, record.id, manyToOne),
  });
  const summaryFields = schema.data
    ? fieldsOf(schema.data)
        .filter(
          (f) => !f.system && f.type !== 'longText' && f.type !== 'richText' && f.type !== 'file',
        )
        .slice(0, 8)
    : [];
  const entityLabel = schema.data ? label(schema.data['x-label']) : record.entity;
  const title =
    data.data && schema.data
      ? displayOf(data.data, schema.data['x-display-field'])
      : `#${record.id}`;
  return (
    <Card
      size="small"
      title={`${t('inbox.record')}: ${entityLabel}`}
      extra={
        <Link to={`/records/${record.entity}/${record.id}`} data-testid="record-link">
          {title}
        </Link>
      }
    >
      {data.error ? (
        <ErrorState error={data.error} />
      ) : data.isLoading ? (
        <Loading />
      ) : (
        <Descriptions size="small" column={{ xs: 1, sm: 2 }} data-testid="task-record">
          {summaryFields.map((f) => (
            <Descriptions.Item key={f.name} label={label(f.label)}>
              {relatedText(f, data.data ?? undefined, displayFieldOf) ??
                formatValue(f, data.data?.[f.name], label)}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
    </Card>
  );
}
