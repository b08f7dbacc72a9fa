import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Input } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { listRecords } from '../api/records';
import { useEntities } from '../entities/queries';
import { useI18n } from '../i18n/i18n';

/**
 * One search box over every readable entity's display field (contains), a few hits each. The
 * server applies each user's row rules, so hits are only records they may read.
 */
export default function GlobalSearch() {
  const { t, label } = useI18n();
  const navigate = useNavigate();
  const entities = useEntities();
  const [text, setText] = useState('');
  const q = text.trim();
  const hits = useQuery({
    queryKey: ['search', q],
    enabled: q.length >= 1 && !!entities.data,
    staleTime: 10_000,
    queryFn: async () => {
      const list = entities.data?.data ?? [];
      const pages = await Promise.all(
        list.map(async (e) => {
          try {
            const page = await listRecords(e.name, {
              filter: { [e.displayField]: { contains: q } },
              limit: 5,
              fields: ['id', e.displayField],
            });
            return page.data.map((r) => ({
              entity: e,
              id: r.id,
              text: String(r[e.displayField] ?? `#${r.id}`),
            }));
          } catch {
            // a display field that cannot be searched by text (a relation...) is skipped
            return [];
          }
        }),
      );
      return pages.flat();
    },
  });
  const groups = new Map<string, { label: string; options: { value: string; label: string }[] }>();
  for (const h of hits.data ?? []) {
    const g = groups.get(h.entity.name) ?? {
      label: label(h.entity.label, h.entity.name),
      options: [],
    };
    g.options.push({ value: `/records/${h.entity.name}/${h.id}`, label: h.text });
    groups.set(h.entity.name, g);
  }
  return (
    <AutoComplete
      className="global-search"
      options={[...groups.values()]}
      value={text}
      onChange={setText}
      onSelect={(v: string) => {
        setText('');
        void navigate(v);
      }}
      notFoundContent={q && hits.isFetched ? t('search.none') : null}
    >
      <Input
        prefix={<SearchOutlined />}
        placeholder={t('search.placeholder')}
        allowClear
        data-testid="global-search"
      />
    </AutoComplete>
  );
}
