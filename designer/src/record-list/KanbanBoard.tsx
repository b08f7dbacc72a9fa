import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Card, Select, Space, Typography } from 'antd';
import { ApiError } from '../api/client';
import { listRecords, updateRecord, type RecordData } from '../api/records';
import { ErrorState, Loading } from '../app/states';
import { type EntitySchema, type FieldInfo, displayOf, groupableFields } from '../entities/model';
import { useEntities } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { formatValue } from '../record-show/format';
import { COLUMN_ATTR, useCardDrag } from './cardDrag';

const NONE = '__none__';

/**
 * Cards grouped by a select field or a many-to-one relation (the owner too). Dropping a card on
 * another column (dragged with mouse, pen or finger: cardDrag.ts) PATCHes the field with the
 * version the card was read at; a 409 (someone changed it meanwhile) shows the current record and
 * reloads the board.
 */
export function KanbanBoard({
  entity,
  schema,
  fields,
  filter,
  initialGroupBy,
}: {
  entity: string;
  schema: EntitySchema;
  fields: FieldInfo[];
  filter: Record<string, unknown>;
  /** The view document's kanban field; without (or when the user cannot read it), the first select. */
  initialGroupBy?: string;
}) {
  const { t, label } = useI18n();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const entities = useEntities();
  const groupable = groupableFields(schema);
  const [groupBy, setGroupBy] = useState<string | undefined>(
    () =>
      groupable.find((f) => f.name === initialGroupBy)?.name ??
      groupable.find((f) => f.type === 'select')?.name ??
      groupable[0]?.name,
  );
  const field = groupable.find((f) => f.name === groupBy);
  const isRelation = field?.type === 'relation';
  const q = useQuery({
    queryKey: ['kanban', entity, filter, groupBy],
    enabled: !!field,
    queryFn: () =>
      listRecords(entity, {
        filter,
        limit: 200,
        sort: '-createdAt',
        include: isRelation ? [groupBy!] : [],
      }),
  });
  const display = schema['x-display-field'];
  const targetDisplay =
    field?.relation &&
    entities.data?.data.find((e) => e.name === field.relation!.target)?.displayField;

  const columns = useMemo(() => {
    if (!field) return [];
    const cols = new Map<string, string>();
    if (field.type === 'select')
      for (const o of field.options ?? []) cols.set(o.value, label(o.label));
    for (const r of q.data?.data ?? []) {
      const v = r[field.name];
      if (v === null || v === undefined) continue;
      const key = String(v);
      if (cols.has(key)) continue;
      const rel = (r._related as Record<string, Record<string, unknown> | null> | undefined)?.[
        field.name
      ];
      cols.set(key, rel && targetDisplay ? displayOf(rel, targetDisplay) : key);
    }
    cols.set(NONE, '—');
    return [...cols.entries()];
  }, [field, q.data, label, targetDisplay]);

  const move = async (r: RecordData, key: string) => {
    if (!field) return;
    const value = key === NONE ? null : field.type === 'relation' ? Number(key) : key;
    if (r[field.name] === value) return;
    try {
      await updateRecord(entity, r.id, { [field.name]: value, version: r.version });
      message.success(t('list.moved'));
    } catch (e) {
      const current =
        e instanceof ApiError ? (e.body as { current?: RecordData }).current : undefined;
      if (e instanceof ApiError && e.status === 409 && current)
        modal.warning({
          title: t('record.conflict'),
          content: (
            <div data-testid="kanban-conflict">
              {displayOf(current, display)}: {formatValue(field, current[field.name], label) || '—'}{' '}
              (v{current.version})
            </div>
          ),
        });
      else message.error((e as Error).message);
    }
    await qc.invalidateQueries({ queryKey: ['kanban', entity] });
    await qc.invalidateQueries({ queryKey: ['records', entity] });
  };
  const { drag, start } = useCardDrag((id, key) => {
    const r = q.data?.data.find((x) => x.id === id);
    if (r) void move(r, key);
  });

  if (!groupable.length) return <Alert type="info" title={t('list.noGroupField')} />;

  return (
    <div>
      <Space style={{ marginBottom: 12 }}>
        {t('list.groupBy')}
        <Select
          style={{ width: 180 }}
          value={groupBy}
          onChange={setGroupBy}
          options={groupable.map((f) => ({ value: f.name, label: label(f.label, f.name) }))}
          data-testid="kanban-group"
        />
      </Space>
      {q.isLoading ? (
        <Loading />
      ) : q.error ? (
        <ErrorState error={q.error} />
      ) : (
        <div className="kanban" data-testid="kanban">
          {columns.map(([key, title]) => {
            const cards = (q.data?.data ?? []).filter(
              (r) =>
                (r[field!.name] === null || r[field!.name] === undefined
                  ? NONE
                  : String(r[field!.name])) === key,
            );
            return (
              <div
                key={key}
                className={`kanban-column${drag?.over === key ? ' drop' : ''}`}
                data-testid={`kanban-column-${key}`}
                {...{ [COLUMN_ATTR]: key }}
              >
                <Typography.Text strong>
                  {title} <Typography.Text type="secondary">{cards.length}</Typography.Text>
                </Typography.Text>
                <div style={{ marginTop: 8 }}>
                  {cards.map((r) => (
                    <Card
                      key={r.id}
                      size="small"
                      className={`kanban-card${drag?.id === r.id ? ' dragging' : ''}`}
                      onPointerDown={start(r.id)}
                      data-testid={`kanban-card-${r.id}`}
                    >
                      {/* the card moves, not the link: a native link drag would cancel the pointer */}
                      <Link to={`/records/${entity}/${r.id}`} draggable={false}>
                        {displayOf(r, display)}
                      </Link>
                      {fields
                        .filter(
                          (f) =>
                            !f.system &&
                            f.name !== display &&
                            f.name !== field!.name &&
                            (f.type === 'currency' || f.type === 'date'),
                        )
                        .slice(0, 2)
                        .map((f) => (
                          <div key={f.name}>
                            <Typography.Text type="secondary">
                              {formatValue(f, r[f.name], label)}
                            </Typography.Text>
                          </div>
                        ))}
                    </Card>
                  ))}
                </div>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
