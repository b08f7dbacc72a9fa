import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Calendar, Empty, Grid, Segmented, Space, Spin, Typography } from 'antd';
import { LeftOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { listRecords, type RecordData } from '../api/records';
import { ErrorState } from '../app/states';
import { useAuth } from '../auth/AuthContext';
import { type FieldInfo, displayOf } from '../entities/model';
import { useI18n } from '../i18n/i18n';
import {
  type CalendarEntry,
  type CalendarMode,
  dayKey,
  daysOf,
  entriesByDay,
  rangeFilter,
  shiftAnchor,
  startValueFor,
  toEntries,
  visibleRange,
} from './calendar';
import { combineFilter } from './view';

/** Rows read per request and the most a calendar reads for one range (then it says so). */
const PAGE = 500;
const MAX_PAGES = 4;

export interface CalendarConfig {
  start: string;
  end?: string;
  title?: string;
}

/**
 * The calendar mode of a list (a view with `calendar`): month (antd's grid with each day's
 * records), week (seven columns by time) and day (a list by time), in the browser's time zone as
 * every date of the app. It reads only the visible range (the start field gte / lt, ANDed to the
 * list's filter). A click opens the record; "new" on a day opens the create form with the start
 * filled in. Below the md breakpoint a week shows as a list of days, so it fits a phone.
 */
export function CalendarView({
  entity,
  config,
  byName,
  displayField,
  filter,
}: {
  entity: string;
  config: CalendarConfig;
  byName: Map<string, FieldInfo>;
  displayField: string;
  filter: Record<string, unknown>;
}) {
  const { t, locale } = useI18n();
  const { ability } = useAuth();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const narrow = screens.md === false;
  // antd's breakpoints are unknown on the first render: ask the browser which scale fits
  const [mode, setMode] = useState<CalendarMode>(() =>
    window.matchMedia('(max-width: 767.98px)').matches ? 'day' : 'month',
  );
  const [anchor, setAnchor] = useState<Dayjs>(() => dayjs());

  const startField = byName.get(config.start)!;
  // system fields (createdAt / updatedAt) are datetimes
  const startType = startField.type === 'date' ? 'date' : 'datetime';
  const end = config.end && byName.has(config.end) ? config.end : undefined;
  const title = config.title && byName.has(config.title) ? config.title : displayField;
  // a dayjs keeps the locale it was made in: re-read the anchor in the current one, so the week
  // starts where antd's grid does after a language switch (Monday in zh-CN, Sunday in en)
  const range = useMemo(
    () => visibleRange(mode, anchor.locale(dayjs.locale())),
    [mode, anchor, locale],
  );
  const query = useMemo(
    () => combineFilter(filter, rangeFilter(config.start, startType, range)),
    [filter, config.start, startType, range],
  );

  const records = useQuery({
    queryKey: ['records', entity, 'calendar', query],
    queryFn: async () => {
      const rows: RecordData[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await listRecords(entity, {
          filter: query,
          sort: config.start,
          limit: PAGE,
          cursor,
        });
        rows.push(...page.data);
        cursor = page.nextCursor ?? null;
        if (!cursor) break;
      }
      return { rows, more: cursor !== null };
    },
  });
  const byDay = useMemo(
    () => entriesByDay(toEntries(records.data?.rows ?? [], config.start, end, startType), range),
    [records.data, config.start, end, startType, range],
  );
  const canCreate = ability.can('create', entity);
  const create = (day: Dayjs) =>
    void navigate(
      `/records/${entity}/new?${new URLSearchParams({ [config.start]: startValueFor(day, startType) })}`,
    );

  const heading =
    mode === 'month'
      ? anchor.format('YYYY-MM')
      : mode === 'week'
        ? `${range.from.format('YYYY-MM-DD')} – ${range.to.subtract(1, 'day').format('MM-DD')}`
        : anchor.format('YYYY-MM-DD dddd');

  const entryLink = (e: CalendarEntry<RecordData>, withTime: boolean) => (
    <Link
      key={e.record.id}
      to={`/records/${entity}/${e.record.id}`}
      className="calendar-entry"
      data-testid="calendar-entry"
      data-id={e.record.id}
      title={displayOf(e.record, title)}
      onClick={(ev) => ev.stopPropagation()}
    >
      {withTime && e.timed && (
        <span className="calendar-time">
          {e.start.format('HH:mm')}
          {mode === 'day' && !e.end.isSame(e.start) && `–${e.end.format('HH:mm')}`}{' '}
        </span>
      )}
      {displayOf(e.record, title)}
    </Link>
  );

  const dayList = (day: Dayjs) => {
    const list = byDay.get(dayKey(day)) ?? [];
    return (
      <div
        key={dayKey(day)}
        className="calendar-day"
        data-testid="calendar-day"
        data-day={dayKey(day)}
      >
        <div className="calendar-day-head">
          <Typography.Text strong={day.isSame(dayjs(), 'day')}>
            {mode === 'day' ? t('calendar.allOfDay') : day.format('ddd MM-DD')}
          </Typography.Text>
          {canCreate && (
            <Button
              size="small"
              type="text"
              icon={<PlusOutlined />}
              aria-label={t('calendar.newOn')}
              onClick={() => create(day)}
              data-testid="calendar-new"
            />
          )}
        </div>
        {list.length ? (
          list.map((e) => entryLink(e, true))
        ) : mode === 'day' ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('calendar.empty')} />
        ) : null}
      </div>
    );
  };

  return (
    <div className="calendar-view" data-testid="calendar-view" data-mode={mode}>
      <div className="calendar-toolbar">
        <Space wrap>
          <Button
            icon={<LeftOutlined />}
            aria-label={t('calendar.prev')}
            onClick={() => setAnchor(shiftAnchor(mode, anchor, -1))}
            data-testid="calendar-prev"
          />
          <Button onClick={() => setAnchor(dayjs())} data-testid="calendar-today">
            {t('calendar.today')}
          </Button>
          <Button
            icon={<RightOutlined />}
            aria-label={t('calendar.next')}
            onClick={() => setAnchor(shiftAnchor(mode, anchor, 1))}
            data-testid="calendar-next"
          />
          <Typography.Text strong data-testid="calendar-heading">
            {heading}
          </Typography.Text>
          {records.isFetching && <Spin size="small" />}
        </Space>
        <Segmented
          value={mode}
          onChange={(v) => setMode(v as CalendarMode)}
          options={[
            { value: 'month', label: t('calendar.month') },
            { value: 'week', label: t('calendar.week') },
            { value: 'day', label: t('calendar.day') },
          ]}
          data-testid="calendar-mode"
        />
      </div>
      {records.data?.more && (
        <Alert type="warning" showIcon title={t('calendar.tooMany', { n: PAGE * MAX_PAGES })} />
      )}
      {records.error ? (
        <ErrorState error={records.error} onRetry={() => void records.refetch()} />
      ) : mode === 'month' ? (
        <Calendar
          value={anchor}
          headerRender={() => null}
          fullscreen={!narrow}
          onSelect={(d, info) => {
            // picking a day of the grid opens that day; the month moves with prev / next
            if (info.source === 'date') {
              setAnchor(d);
              if (narrow) setMode('day');
            }
          }}
          cellRender={(d, info) => {
            if (info.type !== 'date') return info.originNode;
            const list = byDay.get(dayKey(d)) ?? [];
            if (narrow)
              return list.length ? <span className="calendar-dot">{list.length}</span> : null;
            return (
              <div className="calendar-cell" data-testid="calendar-cell" data-day={dayKey(d)}>
                {list.slice(0, 4).map((e) => entryLink(e, true))}
                {list.length > 4 && (
                  <Typography.Text type="secondary">
                    {t('calendar.more', { n: list.length - 4 })}
                  </Typography.Text>
                )}
                {canCreate && (
                  <Button
                    size="small"
                    type="text"
                    className="calendar-cell-new"
                    icon={<PlusOutlined />}
                    aria-label={t('calendar.newOn')}
                    onClick={(ev) => {
                      ev.stopPropagation();
                      create(d);
                    }}
                    data-testid="calendar-new"
                  />
                )}
              </div>
            );
          }}
        />
      ) : (
        <div className={mode === 'week' && !narrow ? 'calendar-week' : 'calendar-list'}>
          {daysOf(range).map(dayList)}
        </div>
      )}
    </div>
  );
}
