import Form from '@rjsf/antd';
import validator from '@rjsf/validator-ajv8';

/**
 * The variables a node declares (header variablesSchema), as a form: loaded only for such tasks
 * (rjsf is its own chunk). The server validates them with the decision; its 400 lands on the
 * fields (`errors`, from the /variables/... paths).
 */
export default function TaskVariablesForm({
  schema,
  value,
  onChange,
  errors,
}: {
  schema: Record<string, unknown>;
  value: Record<string, unknown>;
  onChange(v: Record<string, unknown>): void;
  errors: Record<string, { __errors: string[] }>;
}) {
  return (
    <div data-testid="task-variables">
      <Form
        schema={schema}
        uiSchema={{ 'ui:submitButtonOptions': { norender: true } }}
        formData={value}
        validator={validator}
        noValidate
        showErrorList={false}
        extraErrors={errors as never}
        formContext={{ colSpan: 24 }}
        onChange={(e) => onChange((e.formData ?? {}) as Record<string, unknown>)}
      />
    </div>
  );
}
