import { Link } from 'react-router';
import { Space, Typography } from 'antd';
import type { Schemas } from '../api/client';
import { fieldsOf } from '../entities/model';
import { useEntities, useEntitySchema } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { formatValue } from '../record-show/format';

type Summary = Schemas['RecordSummary'];

/**
 * An approval's record in a line or two, from the summary the inbox and the timeline carry
 * (display value and a few fields, already masked for the caller): labels and formats come from
 * the entity's schema where the caller may read the entity; a CC'd user who may not sees the
 * values under their field names, and no link.
 */
export function RecordPreview({ summary, link = true }: { summary: Summary; link?: boolean }) {
  const { label } = useI18n();
  const entities = useEntities();
  const readable = entities.data?.data.find((e) => e.name === summary.entity);
  const schema = useEntitySchema(readable ? summary.entity : undefined);
  const fields = schema.data ? new Map(fieldsOf(schema.data).map((f) => [f.name, f])) : null;
  const display = summary.display ?? `#${summary.id}`;
  const entityLabel = readable ? label(readable.label, summary.entity) : summary.entity;
  return (
    <div className="record-preview" data-testid={`record-preview-${summary.entity}-${summary.id}`}>
      <Typography.Text type="secondary">{entityLabel} · </Typography.Text>
      {readable && link ? (
        <Link to={`/records/${summary.entity}/${summary.id}`}>{display}</Link>
      ) : (
        <Typography.Text strong>{display}</Typography.Text>
      )}
      <Space size={[12, 0]} wrap className="record-preview-fields">
        {Object.entries(summary.fields).map(([name, value]) => {
          const f = fields?.get(name);
          if (value === null || value === undefined || value === '') return null;
          return (
            <Typography.Text key={name} type="secondary">
              {f ? label(f.label) : name}:{' '}
              <Typography.Text>{f ? formatValue(f, value, label) : String(value)}</Typography.Text>
            </Typography.Text>
          );
        })}
      </Space>
    </div>
  );
}
