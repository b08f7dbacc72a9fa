import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CrmError, ErrorCode } from '@crm/common';
import { ajvErrorsToDetails } from '@crm/metadata';
import type { GraphNode, ProcessGraph } from '../engine/process-graph';

/**
 * The variables a task takes, as a JSON Schema: header `variablesSchema`, or the node's embedded
 * Camunda form (`zeebe:formDefinition formKey="camunda-forms:bpmn:<id>"` → zeebe:userTaskForm)
 * turned into one. Linked forms (`formId`) live outside the diagram: not checked here (Zeebe
 * does not check forms either; its Tasklist does).
 */
export function taskVariablesSchema(g: ProcessGraph, node: GraphNode): object | null {
  if (node.headers.variablesSchema) return JSON.parse(node.headers.variablesSchema) as object;
  const m = /^camunda-forms:bpmn:(.+)$/.exec(node.formKey ?? '');
  const form = m ? g.forms[m[1]] : undefined;
  return form ? camundaFormSchema(JSON.parse(form) as CamundaForm) : null;
}

interface CamundaComponent {
  type?: string;
  key?: string;
  components?: CamundaComponent[];
  validate?: {
    required?: boolean;
    min?: number;
    max?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
  };
  values?: Array<{ value: unknown }>;
}
interface CamundaForm {
  components?: CamundaComponent[];
}

/** A Camunda form's input fields as a JSON Schema (other variables pass, as in Tasklist). Pure. */
export function camundaFormSchema(form: CamundaForm): object {
  const properties: Record<string, object> = {};
  const required: string[] = [];
  const walk = (cs: CamundaComponent[] | undefined) => {
    for (const c of cs ?? []) {
      if (c.components) walk(c.components);
      if (!c.key) continue;
      const v = c.validate ?? {};
      let s: Record<string, unknown>;
      switch (c.type) {
        case 'number':
          s = {
            type: 'number',
            ...(v.min !== undefined && { minimum: v.min }),
            ...(v.max !== undefined && { maximum: v.max }),
          };
          break;
        case 'checkbox':
          s = { type: 'boolean' };
          break;
        case 'checklist':
        case 'taglist':
          s = { type: 'array', ...(c.values && { items: { enum: c.values.map((x) => x.value) } }) };
          break;
        case 'select':
        case 'radio':
          s = c.values ? { enum: c.values.map((x) => x.value) } : {};
          break;
        default:
          s = {
            type: 'string',
            ...(v.minLength !== undefined && { minLength: v.minLength }),
            ...(v.maxLength !== undefined && { maxLength: v.maxLength }),
            ...(v.pattern && { pattern: v.pattern }),
          };
      }
      properties[c.key] = s;
      if (v.required) required.push(c.key);
    }
  };
  walk(form.components);
  return { type: 'object', properties, required };
}

const compiled = new Map<string, ValidateFunction>();

/** Checks a task's variables against its schema: a 400 naming each bad field. */
export function checkTaskVariables(
  g: ProcessGraph,
  node: GraphNode,
  variables: Record<string, unknown>,
): void {
  const schema = taskVariablesSchema(g, node);
  if (!schema) return;
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  if (v(variables)) return;
  const errors = ajvErrorsToDetails(v.errors).map((d) => ({ ...d, path: `/variables${d.path}` }));
  throw new CrmError(
    ErrorCode.VariablesInvalid,
    `the task's variables are invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  );
}
