import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Alert, Badge, Button, Input, Segmented, Tabs } from 'antd';
import { AfterFirstPaint, useFirstPaintDone } from '../app/AfterFirstPaint';
import { useScreens } from '../app/screens';
import { EmptyState, ErrorState, Loading } from '../app/states';
import { useI18n } from '../i18n/i18n';
import { BulkBar } from './BulkBar';
import { type BulkResult, stillSelected, tally } from './bulk';
import { InboxRow } from './InboxRow';
import { type Box, isBox } from './boxes';
import { INBOX_FIRST_FILTER, type InboxFilter, type InboxItem, useInbox } from './queries';

/**
 * The approval inbox: pending, done, CC'd and initiated, each with its count (GET /api/inbox, one
 * request per page); due-state filters and text search; bulk approve / reject of pending tasks,
 * with each row's outcome shown after. One column of cards, so it works on a phone too. The box
 * is in the URL (?box=cc), so back from a task lands in the same box.
 */
export default function InboxPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const box: Box = isBox(params.get('box')) ? (params.get('box') as Box) : 'pending';
  const [filter, setFilter] = useState<InboxFilter>(INBOX_FIRST_FILTER);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [results, setResults] = useState<Map<number, BulkResult>>(new Map());
  // the rows a bulk action took: the approved ones leave the pending box, their outcome stays
  const [acted, setActed] = useState<InboxItem[]>([]);
  const inbox = useInbox(box, filter);
  // the rows' checkboxes are antd's once the first screen has painted (app/CheckboxLook)
  const antdCheckboxes = useFirstPaintDone();
  // four boxes with their counts fit a 375 px phone with tighter tabs
  const narrow = !useScreens().sm;
  const counts = inbox.data?.pages[0]?.counts;
  const items = useMemo(() => inbox.data?.pages.flatMap((p) => p.items) ?? [], [inbox.data]);
  const pageTaskIds = items.map((i) => i.taskId).filter((id): id is number => id !== null);
  // a selected task that left the box (decided meanwhile) is no longer selected
  const selectedHere = new Set(pageTaskIds.filter((id) => selected.has(id)));
  const setBox = (b: Box) => {
    setParams(b === 'pending' ? {} : { box: b });
    setSelected(new Set());
    setResults(new Map());
    setActed([]);
    setFilter((f) => ({ q: f.q }));
  };
  const count = (n: number | undefined, color: string) => (
    <Badge count={n ?? 0} showZero overflowCount={999} color={color} size="small" />
  );
  const done = tally(results);
  return (
    <div className="inbox-page" style={{ maxWidth: 960 }}>
      <div className="page-toolbar">
        <h2>{t('inbox.title')}</h2>
        <AfterFirstPaint>
          <Input.Search
            allowClear
            placeholder={t('inbox.search')}
            onSearch={(q) => setFilter((f) => ({ ...f, q: q.trim() || undefined }))}
            style={{ maxWidth: 260 }}
            data-testid="inbox-search"
          />
        </AfterFirstPaint>
      </div>
      <Tabs
        activeKey={box}
        onChange={(k) => setBox(k as Box)}
        size={narrow ? 'small' : 'middle'}
        tabBarGutter={narrow ? 12 : undefined}
        data-testid="inbox-tabs"
        items={[
          {
            key: 'pending',
            label: (
              <span data-testid="inbox-pending">
                {t('inbox.pending')} {count(counts?.pending, '#ff4d4f')}
              </span>
            ),
          },
          {
            key: 'done',
            label: (
              <span data-testid="inbox-done">
                {t('inbox.done')} {count(counts?.done, '#8c8c8c')}
              </span>
            ),
          },
          {
            key: 'cc',
            label: (
              <span data-testid="inbox-cc">
                {t('inbox.cc')} {count(counts?.cc, counts?.ccUnread ? '#1677ff' : '#8c8c8c')}
              </span>
            ),
          },
          {
            key: 'initiated',
            label: (
              <span data-testid="inbox-initiated">
                {t('inbox.initiated')} {count(counts?.initiated, '#8c8c8c')}
              </span>
            ),
          },
        ]}
      />
      {box !== 'done' && (
        <Segmented
          size="small"
          value={filter.due ?? 'all'}
          onChange={(v) =>
            setFilter((f) => ({ ...f, due: v === 'all' ? undefined : (v as InboxFilter['due']) }))
          }
          options={[
            { value: 'all', label: t('common.all') },
            {
              value: 'dueSoon',
              label: `${t('inbox.dueSoon')}${box === 'pending' && counts ? ` ${counts.dueSoon}` : ''}`,
            },
            {
              value: 'overdue',
              label: `${t('inbox.overdue')}${box === 'pending' && counts ? ` ${counts.overdue}` : ''}`,
            },
          ]}
          style={{ marginBottom: 12 }}
          data-testid="due-filter"
        />
      )}
      {results.size > 0 && (
        <Alert
          type={done.failed ? 'warning' : 'success'}
          showIcon
          closable={{ onClose: () => setResults(new Map()) }}
          title={t('inbox.bulkDone', { ok: done.ok, failed: done.failed })}
          description={
            <ul className="bulk-results">
              {acted.map((item) => {
                const r = results.get(item.taskId!);
                return (
                  <li key={item.taskId} data-testid={`bulk-row-${item.taskId}`}>
                    <span className={r?.ok ? 'bulk-ok' : 'bulk-failed'}>{r?.ok ? '✓' : '✗'}</span>{' '}
                    {item.record?.display ?? item.nodeName ?? `#${item.taskId}`}
                    {' — '}
                    {r?.ok ? t(`approval.done.${r.action}`) : (r?.message ?? '')}
                  </li>
                );
              })}
            </ul>
          }
          style={{ marginBottom: 12 }}
          data-testid="bulk-summary"
        />
      )}
      <AfterFirstPaint>
        {box === 'pending' && pageTaskIds.length > 0 && (
          <BulkBar
            pageTaskIds={pageTaskIds}
            selected={selectedHere}
            onSelect={setSelected}
            onResults={(r) => {
              setActed(items.filter((i) => i.taskId !== null && r.has(i.taskId)));
              setResults(r);
              setSelected(stillSelected(selectedHere, r));
            }}
          />
        )}
      </AfterFirstPaint>
      {inbox.isLoading ? (
        <Loading />
      ) : inbox.error ? (
        <ErrorState error={inbox.error} onRetry={() => void inbox.refetch()} />
      ) : !items.length && !results.size ? (
        <EmptyState text={t('inbox.empty')} />
      ) : (
        <div className="inbox-list" data-testid="task-list">
          {items.map((item) => (
            <InboxRow
              key={`${item.taskId}-${item.instanceId}`}
              box={box}
              item={item}
              selectable={box === 'pending' && item.taskId !== null}
              selected={item.taskId !== null && selected.has(item.taskId)}
              onSelect={(on) => {
                const next = new Set(selected);
                if (on) next.add(item.taskId!);
                else next.delete(item.taskId!);
                setSelected(next);
              }}
              result={item.taskId !== null ? results.get(item.taskId) : undefined}
              antdCheckbox={antdCheckboxes}
            />
          ))}
          {inbox.hasNextPage && (
            <Button
              block
              loading={inbox.isFetchingNextPage}
              onClick={() => void inbox.fetchNextPage()}
              data-testid="inbox-more"
            >
              {t('common.more')}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
