import { lazy, Suspense, useMemo, useState } from 'react';
import { type NavigateFunction, useNavigate, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Popover, Segmented, Space, Table, Tag } from 'antd';
import type { TableProps } from 'antd';
import { EditOutlined, FilterOutlined, PlusOutlined } from '@ant-design/icons';
import { deleteRecord, listRecords, type RecordData } from '../api/records';
import { AfterFirstPaint, useFirstPaintDone } from '../app/AfterFirstPaint';
import { firstSelectionColumn } from './firstSelectionColumn';
import { linkTo } from '../app/linkTo';
import { ErrorState, Loading } from '../app/states';
import { Can, useAuth } from '../auth/AuthContext';
import { defaultColumns, fieldsOf, type FieldInfo } from '../entities/model';
import { useEntities, useEntitySchema } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { formatValue } from '../record-show/format';
import { freshWhileSeeded } from '../boot/fresh';
import { buildFilter, type Condition } from './filter';
import { recordsKey } from './firstPage';
import {
  DEFAULT_PAGE_SIZE,
  type GroupRow,
  combineFilter,
  groupRows,
  isGroupRow,
  sortParam,
  viewColumns,
} from './view';

const VIEW_FILTER = { 'zh-CN': '默认筛选', en: 'Default filter' };

/*
 * What the list's first screen does not draw loads on its own, after the rows: the toolbar's
 * controls (they render after the first paint), the kanban and calendar modes, the bulk edit
 * dialog. Imported statically they were most of the route's 213 KB of JS (antd's form controls,
 * drag and drop), all evaluated before the first render.
 */
const FilterBuilder = lazy(() =>
  import('./FilterBuilder').then((m) => ({ default: m.FilterBuilder })),
);
const SavedViews = lazy(() => import('./SavedViews').then((m) => ({ default: m.SavedViews })));
const TransferMenu = lazy(() =>
  import('./TransferMenu').then((m) => ({ default: m.TransferMenu })),
);
const CalendarView = lazy(() =>
  import('./CalendarView').then((m) => ({ default: m.CalendarView })),
);
const KanbanBoard = lazy(() => import('./KanbanBoard').then((m) => ({ default: m.KanbanBoard })));
const BulkEditDialog = lazy(() =>
  import('./BulkEditDialog').then((m) => ({ default: m.BulkEditDialog })),
);
/**
 * A list of one entity's records: columns, server-side sort and filter, cursor pagination ("load
 * more" keeps the keyset cursor, so page 100 costs what page 1 does), kanban, CSV/Excel export and
 * import (TransferMenu), bulk edit and bulk delete with per-row errors. The entity's `view` document sets the columns, a default filter
 * (shown as a tag the user can close), the sort, grouping, the kanban field and the page size.
 */
const LIST_MODES = ['table', 'kanban', 'calendar'] as const;
type ListMode = (typeof LIST_MODES)[number];

/** A fresh list (filter, sort, mode) per entity. */
export default function ListRoute() {
  const { entity = '' } = useParams();
  return <ListPage key={entity} entity={entity} />;
}

function ListPage({ entity }: { entity: string }) {
  const { t, label } = useI18n();
  const { ability } = useAuth();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const schema = useEntitySchema(entity);
  const entities = useEntities();
  const [sort, setSort] = useState<string | undefined>();
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [applied, setApplied] = useState<Condition[]>([]);
  // the mode lives in the URL (?mode=calendar), so "back" from a record returns to it
  const [search, setSearch] = useSearchParams();
  const mode = LIST_MODES.find((m) => m === search.get('mode')) ?? 'table';
  const setMode = (m: ListMode) => setSearch(m === 'table' ? {} : { mode: m }, { replace: true });
  const [selected, setSelected] = useState<number[]>([]);
  const [bulkEditing, setBulkEditing] = useState(false);
  const [viewFilterOn, setViewFilterOn] = useState(true);
  // the rows' checkboxes are antd's once the first screen has painted (app/CheckboxLook)
  const antdCheckboxes = useFirstPaintDone();

  const fields = useMemo(() => (schema.data ? fieldsOf(schema.data) : []), [schema.data]);
  const byName = useMemo(() => new Map(fields.map((f) => [f.name, f])), [fields]);
  const displayFieldOf = (e: string) => entities.data?.data.find((x) => x.name === e)?.displayField;
  // the entity's view document (its own, or derived by the server), from the entity list
  const view = entities.data?.data.find((x) => x.name === entity)?.view;
  const viewFilter = viewFilterOn ? view?.filter : undefined;
  const filter = useMemo(
    () => combineFilter(viewFilter, buildFilter(applied, byName, displayFieldOf)),
    [applied, byName, entities.data, viewFilter],
  );
  const { columns, link } = schema.data
    ? viewColumns(view, byName, defaultColumns(schema.data), schema.data['x-display-field'])
    : { columns: [], link: '' };
  const include = columns.filter((c) => byName.get(c)?.relation?.kind === 'manyToOne');
  const pageSize = view?.pageSize ?? DEFAULT_PAGE_SIZE;
  const requestSort = sortParam(view, sort, (f) => byName.has(f));
  // the calendar mode, when the view has one and the user may read its start field
  const calendar = view?.calendar && byName.has(view.calendar.start) ? view.calendar : undefined;
  // a calendar link (or saved view) on a list that has none shows the table
  const shownMode = mode === 'calendar' && !calendar ? 'table' : mode;
  const groupBy = view?.groupBy && byName.has(view.groupBy) ? view.groupBy : undefined;

  const list = useInfiniteQuery({
    queryKey: recordsKey(entity, { filter, sort: requestSort, include, limit: pageSize }),
    staleTime: freshWhileSeeded,
    // the view comes with the entity list: wait for it, or the list would be read twice
    enabled: !!schema.data && !entities.isLoading && shownMode === 'table',
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      listRecords(entity, {
        filter,
        sort: requestSort,
        limit: pageSize,
        cursor: pageParam,
        include,
        count: pageParam === null,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  if (schema.isLoading || entities.isLoading) return <Loading />;
  if (schema.error) return <ErrorState error={schema.error} />;
  const s = schema.data!;
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const total = list.data?.pages[0]?.count;
  const tableRows: Array<RecordData | GroupRow> = groupBy ? groupRows(rows, groupBy) : rows;
  // the sort arrow: the user's column sort, else the view's first key
  const shownSort =
    sort ?? (view?.sort?.[0] && `${view.sort[0].order === 'desc' ? '-' : ''}${view.sort[0].field}`);
  const groupField = groupBy ? byName.get(groupBy) : undefined;

  const tableColumns: TableProps<RecordData | GroupRow>['columns'] = columns.map((name, i) => {
    const f = byName.get(name)!;
    return {
      key: name,
      dataIndex: name,
      title: label(f.label, name),
      sorter: f.type !== 'multiSelect' && f.relation?.kind !== 'manyToMany',
      sortOrder: shownSort === name ? 'ascend' : shownSort === `-${name}` ? 'descend' : null,
      // a group's header row spans the table in the first column
      onCell: (r) => (isGroupRow(r) ? { colSpan: i === 0 ? columns.length : 0 } : {}),
      render: (v: unknown, r: RecordData | GroupRow) =>
        isGroupRow(r) ? (
          <span className="list-group-row" data-testid="list-group">
            <strong>
              {label(groupField!.label, groupBy)}:{' '}
              {relationText(
                groupField!,
                r.first[groupBy!],
                r.first,
                displayFieldOf,
                label,
                navigate,
              ) || '—'}
            </strong>{' '}
            <Badge count={r.count} color="gray" showZero />
          </span>
        ) : name === link ? (
          <a {...linkTo(`/records/${entity}/${r.id}`, navigate)}>
            {linkText(f, v, r, displayFieldOf)}
          </a>
        ) : (
          relationText(f, v, r, displayFieldOf, label, navigate)
        ),
    };
  });

  const bulkDelete = async () => {
    const failed: string[] = [];
    for (const id of selected) {
      const r = rows.find((x) => x.id === id);
      try {
        await deleteRecord(entity, id, r?.version);
      } catch (e) {
        failed.push(`#${id}: ${(e as Error).message}`);
      }
    }
    setSelected([]);
    await qc.invalidateQueries({ queryKey: ['records', entity] });
    if (failed.length)
      modal.error({
        title: t('list.rowErrors'),
        content: (
          <ul data-testid="row-errors">
            {failed.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        ),
      });
    else message.success(t('list.deleted', { n: selected.length }));
  };

  // selection serves bulk delete and bulk edit: offered when the user may do either
  const maySelect = ability.can('delete', entity) || ability.can('update', entity);
  const entityLabel = label(s['x-label'], entity);

  return (
    <div>
      <div className="page-toolbar">
        <h2 data-testid="list-title">{entityLabel}</h2>
        <Segmented
          value={shownMode}
          onChange={(v) => setMode(v as ListMode)}
          options={[
            { value: 'table', label: t('list.table') },
            { value: 'kanban', label: t('list.kanban') },
            ...(calendar ? [{ value: 'calendar', label: t('list.calendar') }] : []),
          ]}
          data-testid="list-mode"
        />
        <AfterFirstPaint>
          <Popover
            trigger="click"
            placement="bottomLeft"
            content={
              <div style={{ maxWidth: '90vw' }}>
                <Suspense fallback={<Loading />}>
                  <FilterBuilder fields={fields} value={conditions} onChange={setConditions} />
                </Suspense>
                <Space style={{ marginTop: 12 }}>
                  <Button
                    type="primary"
                    onClick={() => setApplied(conditions)}
                    data-testid="filter-apply"
                  >
                    {t('list.apply')}
                  </Button>
                  <Button
                    onClick={() => {
                      setConditions([]);
                      setApplied([]);
                    }}
                  >
                    {t('list.clear')}
                  </Button>
                </Space>
              </div>
            }
          >
            <Button icon={<FilterOutlined />} data-testid="filter-button">
              {t('list.filter')}{' '}
              {applied.length > 0 && <Badge count={applied.length} size="small" />}
            </Button>
          </Popover>
        </AfterFirstPaint>
        {view?.filter && viewFilterOn && (
          <Tag closable onClose={() => setViewFilterOn(false)} data-testid="view-filter">
            {label(VIEW_FILTER)}
          </Tag>
        )}
        <AfterFirstPaint>
          <Suspense fallback={null}>
            <SavedViews
              entity={entity}
              current={{ conditions: applied, sort, mode: shownMode }}
              onApply={(v) => {
                setConditions(v.conditions);
                setApplied(v.conditions);
                setSort(v.sort);
                setMode(v.mode === 'calendar' && !calendar ? 'table' : v.mode);
              }}
            />
          </Suspense>
        </AfterFirstPaint>
        <Space wrap style={{ marginInlineStart: 'auto' }}>
          {selected.length > 0 && ability.can('delete', entity) && (
            <Button danger onClick={() => void bulkDelete()} data-testid="bulk-delete">
              {t('list.bulkDelete')} ({selected.length})
            </Button>
          )}
          {selected.length > 0 && ability.can('update', entity) && (
            <Button
              icon={<EditOutlined />}
              onClick={() => setBulkEditing(true)}
              data-testid="bulk-edit"
            >
              {t('list.bulkEdit')} ({selected.length})
            </Button>
          )}
          <AfterFirstPaint>
            <Suspense fallback={null}>
              <TransferMenu
                entity={entity}
                entityLabel={entityLabel}
                fields={fields}
                query={{ filter, sort: requestSort, fields: columns }}
              />
            </Suspense>
          </AfterFirstPaint>
          <Can I="create" a={entity}>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => navigate(`/records/${entity}/new`)}
              data-testid="list-new"
            >
              {t('common.create')}
            </Button>
          </Can>
        </Space>
      </div>
      {shownMode === 'calendar' && calendar ? (
        <Suspense fallback={<Loading />}>
          <CalendarView
            entity={entity}
            config={calendar}
            byName={byName}
            displayField={s['x-display-field']}
            filter={filter}
          />
        </Suspense>
      ) : shownMode === 'kanban' ? (
        <Suspense fallback={<Loading />}>
          <KanbanBoard
            entity={entity}
            schema={s}
            fields={fields}
            filter={filter}
            initialGroupBy={view?.kanban}
          />
        </Suspense>
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          {/* a wide table scrolls in its own box; antd's scroll.x would measure every column
              after the first render and render the table a second time (~0.1 s on a list load) */}
          <div className="record-table-scroll">
            <Table<RecordData | GroupRow>
              rowKey="id"
              size="middle"
              loading={list.isLoading}
              columns={
                maySelect && !antdCheckboxes
                  ? [firstSelectionColumn(tableRows, selected, setSelected), ...tableColumns]
                  : tableColumns
              }
              dataSource={tableRows}
              pagination={false}
              rowClassName={
                maySelect && !antdCheckboxes
                  ? (r) => (selected.includes(r.id as number) ? 'ant-table-row-selected' : '')
                  : undefined
              }
              rowSelection={
                maySelect && antdCheckboxes
                  ? {
                      selectedRowKeys: selected,
                      onChange: (k) => setSelected(k as number[]),
                      // a group's header row is not a record
                      getCheckboxProps: (r) => ({ disabled: isGroupRow(r), hidden: isGroupRow(r) }),
                    }
                  : undefined
              }
              onChange={(_p, _f, sorter) => {
                const one = Array.isArray(sorter) ? sorter[0] : sorter;
                setSort(
                  one?.order
                    ? `${one.order === 'descend' ? '-' : ''}${String(one.columnKey)}`
                    : undefined,
                );
              }}
              data-testid="record-table"
            />
          </div>
          <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 12 }}>
            <span data-testid="list-count">
              {total !== undefined ? t('list.count', { n: total }) : ''}
            </span>
            {list.hasNextPage && (
              <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                {t('common.more')}
              </Button>
            )}
          </div>
        </>
      )}
      {bulkEditing && (
        <Suspense fallback={null}>
          <BulkEditDialog
            open
            entity={entity}
            entityLabel={entityLabel}
            displayField={s['x-display-field']}
            fields={fields}
            records={rows.filter((r) => selected.includes(r.id))}
            onClose={() => setBulkEditing(false)}
            onDone={() => setSelected([])}
          />
        </Suspense>
      )}
    </div>
  );
}

/** The text of the link to a record: its value, or a relation's related display value. */
function linkText(
  f: FieldInfo,
  v: unknown,
  r: RecordData,
  displayFieldOf: (e: string) => string | undefined,
): string {
  if (f.relation?.kind === 'manyToOne') {
    const related = (r._related as Record<string, Record<string, unknown> | null> | undefined)?.[
      f.name
    ];
    const df = displayFieldOf(f.relation.target);
    const text = related && df ? related[df] : undefined;
    return text === null || text === undefined || text === '' ? `#${r.id}` : String(text);
  }
  return String(v ?? `#${r.id}`);
}

function relationText(
  f: FieldInfo,
  v: unknown,
  r: RecordData,
  displayFieldOf: (e: string) => string | undefined,
  label: Parameters<typeof formatValue>[2],
  navigate: NavigateFunction,
) {
  const related = (r._related as Record<string, Record<string, unknown> | null> | undefined)?.[
    f.name
  ];
  if (f.relation?.kind === 'manyToOne' && related) {
    const target = related;
    const df = displayFieldOf(f.relation.target);
    return (
      <a {...linkTo(`/records/${f.relation.target}/${String(target.id)}`, navigate)}>
        {String((df && target[df]) ?? `#${String(target.id)}`)}
      </a>
    );
  }
  return formatValue(f, v, label);
}

export { Loading };
