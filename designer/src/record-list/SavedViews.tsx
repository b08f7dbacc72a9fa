import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Input, Modal, Select, Space } from 'antd';
import { SaveOutlined } from '@ant-design/icons';
import { api, ok } from '../api/client';
import { useI18n } from '../i18n/i18n';
import type { Condition } from './filter';

/** What a saved view restores of a list. */
export interface ListState {
  conditions: Condition[];
  sort?: string;
  mode: 'table' | 'kanban' | 'calendar';
}

/** The user's own views of an entity, stored on the server (/api/views/:entity): pick or save one. */
export function SavedViews({
  entity,
  current,
  onApply,
}: {
  entity: string;
  current: ListState;
  onApply(s: ListState): void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<number | undefined>();
  const views = useQuery({
    queryKey: ['views', entity],
    queryFn: async () =>
      ok(await api.GET('/api/views/{entity}', { params: { path: { entity } } })).data,
  });
  const save = useMutation({
    mutationFn: async () =>
      ok(
        await api.POST('/api/views/{entity}', {
          params: { path: { entity } },
          body: { name, definition: { ...current } },
        }),
      ),
    onSuccess: async (v) => {
      setNaming(false);
      setName('');
      setChosen(v.id);
      message.success(t('common.saved'));
      await qc.invalidateQueries({ queryKey: ['views', entity] });
    },
    onError: (e) => message.error((e as Error).message),
  });
  return (
    <Space.Compact>
      <Select
        style={{ width: 160 }}
        placeholder={t('list.savedViews')}
        allowClear
        value={chosen}
        loading={views.isLoading}
        options={(views.data ?? []).map((v) => ({ value: v.id, label: v.name }))}
        onChange={(id?: number) => {
          setChosen(id);
          const v = views.data?.find((x) => x.id === id);
          const d = (v?.definition ?? {}) as Partial<ListState>;
          onApply({ conditions: d.conditions ?? [], sort: d.sort, mode: d.mode ?? 'table' });
        }}
        data-testid="saved-views"
      />
      <Button icon={<SaveOutlined />} onClick={() => setNaming(true)} data-testid="save-view">
        {t('list.saveView')}
      </Button>
      <Modal
        open={naming}
        title={t('list.saveView')}
        onOk={() => save.mutate()}
        okButtonProps={
          {
            disabled: !name.trim(),
            loading: save.isPending,
            'data-testid': 'save-view-ok',
          } as never
        }
        onCancel={() => setNaming(false)}
        destroyOnHidden
      >
        <Input
          autoFocus
          placeholder={t('list.viewName')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="save-view-name"
        />
      </Modal>
    </Space.Compact>
  );
}
