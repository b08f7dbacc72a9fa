import { useEffect, useState } from 'react';
import { Badge, Col, Row, Tabs, Typography } from 'antd';
import { type ObjectFieldTemplateProps, type UiSchema, getUiOptions } from '@rjsf/utils';
import { Templates } from '@rjsf/antd';
import { type FormLayout, hasErrors } from './formSchema';

const DefaultObjectTemplate = Templates.ObjectFieldTemplate!;

type Property = ObjectFieldTemplateProps['properties'][number];

/**
 * The record form laid out by its `form` document (formOf puts the resolved layout in the root
 * uiSchema): titled sections of 1 to 4 columns, optionally in tabs. A tab holding a field the
 * server refused is marked and brought forward. Other objects render as rjsf's antd theme does.
 */
export function LayoutObjectTemplate(props: ObjectFieldTemplateProps) {
  const layout = getUiOptions(props.uiSchema).layout as FormLayout | undefined;
  if (!layout || props.fieldPathId.$id !== 'root') return <DefaultObjectTemplate {...props} />;
  return <LaidOut props={props} layout={layout} />;
}

function LaidOut({ props, layout }: { props: ObjectFieldTemplateProps; layout: FormLayout }) {
  const byName = new Map(props.properties.map((p) => [p.name, p]));
  // a phone gets one column whatever the form says (RecordPage's formContext)
  const phone = typeof (props.registry.formContext as { colSpan?: unknown })?.colSpan === 'number';
  // rjsf keeps an entry per field; only those with messages are errors
  const errored = new Set(
    Object.entries(props.errorSchema ?? {})
      .filter(([k, v]) => k !== '__errors' && hasErrors(v))
      .map(([k]) => k),
  );
  const withErrors = layout.tabs
    .filter((t) => t.sections.some((s) => s.fields.some((f) => errored.has(f))))
    .map((t) => t.key);
  const [active, setActive] = useState(layout.tabs[0]?.key);
  const errorKey = withErrors.join(',');
  useEffect(() => {
    if (withErrors.length && !withErrors.includes(active)) setActive(withErrors[0]);
    // only when the set of tabs with errors changes, so the user can still switch tabs
  }, [errorKey]);

  const span = (p: Property, columns: number): number => {
    if (phone) return 24;
    const child = p.content.props as { schema?: { type?: unknown }; uiSchema?: UiSchema };
    const widget = child.uiSchema?.['ui:widget'];
    const type = child.schema?.type;
    const wide =
      widget === 'textarea' ||
      widget === 'richText' ||
      (!widget &&
        (type === 'array' || type === 'object' || (Array.isArray(type) && type[0] === 'array')));
    return wide ? 24 : Math.floor(24 / columns);
  };

  const sections = (tab: FormLayout['tabs'][number]) =>
    tab.sections.map((s) => (
      <section key={s.key} className="form-section" data-testid={`form-section-${s.key}`}>
        {s.title && (
          <Typography.Title level={5} className="form-section-title" style={{ marginTop: 4 }}>
            {s.title}
          </Typography.Title>
        )}
        <Row gutter={24}>
          {s.fields.map((f) => {
            const p = byName.get(f);
            if (!p || p.hidden) return null;
            return (
              <Col key={f} span={span(p, s.columns)}>
                {p.content}
              </Col>
            );
          })}
        </Row>
      </section>
    ));

  const only = layout.tabs.length === 1 && !layout.tabs[0].title ? layout.tabs[0] : undefined;
  return (
    <fieldset id={props.fieldPathId.$id}>
      {only ? (
        sections(only)
      ) : (
        <Tabs
          activeKey={active}
          onChange={setActive}
          data-testid="form-tabs"
          items={layout.tabs.map((t) => ({
            key: t.key,
            label: (
              <Badge dot={withErrors.includes(t.key)} offset={[6, 0]}>
                {t.title ?? ''}
              </Badge>
            ),
            // every tab is rendered (hidden when inactive) so its fields keep their errors
            forceRender: true,
            children: sections(t),
          }))}
        />
      )}
    </fieldset>
  );
}
