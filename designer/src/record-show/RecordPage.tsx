import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Form from '@rjsf/antd';
import { subject } from '@casl/ability';
import validator from '@rjsf/validator-ajv8';
import { Alert, App, Button, Card, Descriptions, Grid, Space, Tabs } from 'antd';
import { ApiError } from '../api/client';
import { createRecord, getRecord, type RecordData, updateRecord } from '../api/records';
import { ErrorState, Loading } from '../app/states';
import { useAuth } from '../auth/AuthContext';
import { displayOf, fieldsOf } from '../entities/model';
import { useEntities, useEntitySchema } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { Approvals } from './Approvals';
import { formatValue } from './format';
import { bodyOf, errorSchemaOf, formOf, formValuesOf } from './formSchema';
import { LayoutObjectTemplate } from './FormLayout';
import { HistoryTab } from './HistoryTab';
import { RecordButtons } from './RecordButtons';
import { RelatedLists } from './RelatedLists';
import { fieldErrorWords } from './errorMessages';
import { RichTextWidget } from './RichTextWidget';
import { SharesTab } from './SharesTab';
import { CurrencyWidget, DateTimeWidget, FileWidget, RelationWidget } from './widgets';

const widgets = {
  relation: RelationWidget,
  file: FileWidget,
  datetime: DateTimeWidget,
  currency: CurrencyWidget,
  richText: RichTextWidget,
};
/** Sections, columns and tabs of the entity's form document (FormLayout.tsx). */
const templates = { ObjectFieldTemplate: LayoutObjectTemplate };
/** Two columns on a desktop (long texts and lists across), one on a phone. */
const TWO_COLUMNS = {
  colSpan: {
    string: 12,
    number: 12,
    integer: 12,
    boolean: 12,
    object: 24,
    array: 24,
    null: 12,
    relation: 12,
    file: 12,
    datetime: 12,
    currency: 12,
    textarea: 24,
    richText: 24,
    select: 12,
  },
};

/**
 * One record: the form (rjsf from the compiled schema, validated by the server: its errors land
 * on their fields), a stale version shown as a conflict with the current values, related lists,
 * approvals and the change history. `/records/:entity/new?field=id` pre-fills a relation
 * (create-in-context from a related list).
 */
export default function RecordPage() {
  const { entity = '', id } = useParams();
  const [search] = useSearchParams();
  const isNew = id === undefined;
  const recordId = Number(id);
  const { t, label, locale } = useI18n();
  const { ability, recordAbility } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const screens = Grid.useBreakpoint();
  const schema = useEntitySchema(entity);
  const entities = useEntities();
  const record = useQuery({
    queryKey: ['record', entity, recordId],
    enabled: !isNew,
    queryFn: () => getRecord(entity, recordId),
  });
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [extraErrors, setExtraErrors] = useState<Record<string, unknown> | undefined>();
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const [conflict, setConflict] = useState<RecordData | null>(null);
  const [saving, setSaving] = useState(false);

  // the entity's form document (its own, or derived by the server), from the entity list
  const formDoc = entities.data?.data.find((x) => x.name === entity)?.form;
  const form = useMemo(() => {
    if (!schema.data) return null;
    const action = isNew ? 'create' : 'update';
    // fields the user may not write are left out; a read-only user sees the form disabled
    const writable = (field: string) =>
      ability.can(action, entity, field) || !ability.can(action, entity);
    return formOf(schema.data, label, isNew, writable, locale, formDoc);
  }, [schema.data, label, isNew, ability, entity, locale, formDoc]);
  useEffect(() => {
    if (isNew) {
      const preset: Record<string, unknown> = {};
      for (const [k, v] of search.entries()) preset[k] = /^\d+$/.test(v) ? Number(v) : v;
      setFormData(preset);
    } else if (record.data && form) setFormData(formValuesOf(record.data, form.fields));
    setExtraErrors(undefined);
    setOtherErrors([]);
  }, [isNew, record.data, search, form]);

  // the server's errors may sit on fields far down a long form: bring the first one into view
  useEffect(() => {
    if (extraErrors)
      requestAnimationFrame(() =>
        document
          .querySelector('.ant-form-item-has-error')
          ?.scrollIntoView({ block: 'center', behavior: 'instant' }),
      );
  }, [extraErrors]);

  // the form document comes with the entity list: wait for it, or the form would be laid out twice
  if (schema.isLoading || entities.isLoading || (!isNew && record.isLoading)) return <Loading />;
  if (schema.error) return <ErrorState error={schema.error} />;
  if (record.error) return <ErrorState error={record.error} />;
  const s = schema.data!;
  const f = form!;
  const canWrite = isNew
    ? ability.can('create', entity)
    : recordAbility.can('update', subject(entity, { ...record.data! }));
  const title = isNew
    ? t('record.new', { entity: label(s['x-label']) })
    : `${label(s['x-label'])} · ${displayOf(record.data, s['x-display-field'])}`;

  const save = async () => {
    setSaving(true);
    setExtraErrors(undefined);
    setOtherErrors([]);
    try {
      const body = bodyOf(formData, f.fields, isNew, record.data ?? {});
      if (isNew) {
        const created = await createRecord(entity, body);
        message.success(t('common.saved'));
        await qc.invalidateQueries({ queryKey: ['records', entity] });
        void navigate(`/records/${entity}/${created.id}`, { replace: true });
      } else {
        const updated = await updateRecord(entity, recordId, {
          ...body,
          version: (conflict ?? record.data!).version,
        });
        setConflict(null);
        qc.setQueryData(['record', entity, recordId], updated);
        await qc.invalidateQueries({ queryKey: ['records', entity] });
        message.success(t('common.saved'));
      }
    } catch (e) {
      if (
        e instanceof ApiError &&
        e.status === 409 &&
        (e.body as { current?: RecordData }).current
      ) {
        // keep what the user typed; show what is stored now; the next save goes against it
        setConflict((e.body as unknown as { current: RecordData }).current);
      } else if (e instanceof ApiError && e.body.errors.length) {
        // the server's keyword and parameters, worded in the user's language (errorMessages.ts)
        const { schema: es, rest } = errorSchemaOf(
          e.body.errors,
          new Set(f.fields.map((x) => x.name)),
          fieldErrorWords(t, label, f.fields),
        );
        setExtraErrors(es);
        setOtherErrors(rest.length ? rest : Object.keys(es).length ? [] : [e.message]);
        message.error(t('record.invalid'));
      } else {
        setOtherErrors([(e as Error).message]);
      }
    } finally {
      setSaving(false);
    }
  };

  const allFields = fieldsOf(s);
  const inverses = entities.data?.data.find((x) => x.name === entity)?.inverses ?? [];
  const formCard = (
    <Card size="small">
      {conflict && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('record.conflict')}
          data-testid="conflict"
          description={
            <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
              {f.fields
                .filter(
                  (x) => JSON.stringify(conflict[x.name]) !== JSON.stringify(record.data?.[x.name]),
                )
                .map((x) => (
                  <Descriptions.Item key={x.name} label={label(x.label)}>
                    {formatValue(x, conflict[x.name], label) || '—'}
                  </Descriptions.Item>
                ))}
            </Descriptions>
          }
        />
      )}
      {otherErrors.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={otherErrors.join('; ')}
          data-testid="form-errors"
        />
      )}
      <Form
        schema={f.schema}
        uiSchema={f.uiSchema}
        formData={formData}
        validator={validator}
        noValidate
        // nor the browser's own bubbles: every error is the server's, on its field, in the
        // user's language (a bubble would speak the browser's and vanish on the next click)
        noHtml5Validate
        showErrorList={false}
        extraErrors={extraErrors as never}
        widgets={widgets}
        templates={templates}
        disabled={!canWrite}
        formContext={screens.md ? TWO_COLUMNS : { colSpan: 24 }}
        onChange={(e) => setFormData(e.formData as Record<string, unknown>)}
        onSubmit={() => void save()}
      >
        {canWrite && (
          <Space>
            <Button type="primary" htmlType="submit" loading={saving} data-testid="record-save">
              {t('common.save')}
            </Button>
            <Button onClick={() => navigate(`/records/${entity}`)}>{t('common.cancel')}</Button>
          </Space>
        )}
      </Form>
    </Card>
  );

  return (
    <div style={{ maxWidth: 1100 }}>
      <div className="page-toolbar">
        <Link to={`/records/${entity}`}>← {label(s['x-label'])}</Link>
        <h2 data-testid="record-title">{title}</h2>
      </div>
      {!isNew && (
        <RecordButtons
          entity={entity}
          id={recordId}
          buttons={entities.data?.data.find((x) => x.name === entity)?.buttons ?? []}
        />
      )}
      {isNew ? (
        formCard
      ) : (
        <Tabs
          items={[
            { key: 'details', label: t('record.details'), children: formCard },
            ...(inverses.length
              ? [
                  {
                    key: 'related',
                    label: t('record.related'),
                    children: <RelatedLists entity={entity} id={recordId} inverses={inverses} />,
                  },
                ]
              : []),
            {
              key: 'approvals',
              label: t('record.approvals'),
              children: <Approvals entity={entity} id={recordId} record={record.data!} />,
            },
            // sharing needs the update right, as the server checks
            ...(canWrite
              ? [
                  {
                    key: 'shares',
                    label: <span data-testid="tab-shares">{t('record.shares')}</span>,
                    children: <SharesTab entity={entity} id={recordId} />,
                  },
                ]
              : []),
            {
              key: 'history',
              label: <span data-testid="tab-history">{t('record.history')}</span>,
              children: <HistoryTab entity={entity} id={recordId} fields={allFields} />,
            },
            {
              key: 'system',
              label: t('record.system'),
              children: (
                <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
                  {allFields
                    .filter((x) => x.system)
                    .map((x) => (
                      <Descriptions.Item key={x.name} label={label(x.label)}>
                        {formatValue(x, record.data?.[x.name], label)}
                      </Descriptions.Item>
                    ))}
                </Descriptions>
              ),
            },
          ]}
        />
      )}
    </div>
  );
}
