import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useI18n } from '../i18n/i18n';
import { searchUsers } from './api';

/**
 * Colleagues by name or login (GET /api/users?search=), one or several: whom to hand a task to,
 * add as signers or CC. The caller is not offered (nobody delegates to themselves).
 */
export function UserPicker({
  value,
  onChange,
  multiple,
  exclude = [],
  testId,
}: {
  value: string[];
  onChange(logins: string[]): void;
  multiple: boolean;
  exclude?: string[];
  testId: string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const found = useQuery({
    queryKey: ['user-search', text],
    staleTime: 30_000,
    queryFn: () => searchUsers(text),
  });
  // labels of the users already picked survive a new search
  const [known, setKnown] = useState<Record<string, string>>({});
  const label = (u: { login: string; displayName: string | null }) =>
    u.displayName ? `${u.displayName} (${u.login})` : u.login;
  const options = (found.data ?? [])
    .filter((u) => !exclude.includes(u.login))
    .map((u) => ({ value: u.login, label: label(u) }));
  for (const v of value)
    if (!options.some((o) => o.value === v)) options.push({ value: v, label: known[v] ?? v });
  return (
    <Select
      mode={multiple ? 'multiple' : undefined}
      style={{ width: '100%' }}
      showSearch={{ filterOption: false, onSearch: setText }}
      placeholder={t('approval.pickUsers')}
      loading={found.isFetching}
      value={multiple ? value : value[0]}
      options={options}
      notFoundContent={found.isFetching ? t('common.loading') : t('search.none')}
      onChange={(v: string | string[] | undefined) => {
        const logins = v === undefined ? [] : Array.isArray(v) ? v : [v];
        const labels = { ...known };
        for (const o of options) labels[o.value] = o.label;
        setKnown(labels);
        onChange(logins);
        setText('');
      }}
      data-testid={testId}
    />
  );
}
