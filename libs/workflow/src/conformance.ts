import { parseBpmn } from './bpmn-model';
import {
  type BpmnProblem,
  type ProcessSummary,
  type ValidateOptions,
  validateBpmn,
} from './validate-bpmn';

export interface DeployCheck {
  accepted: boolean;
  processes: ProcessSummary[];
  problems: BpmnProblem[];
}

/** What deploy decides about a diagram: accepted, or rejected with every element-level problem. */
export async function checkDeployable(
  xml: string,
  opts: ValidateOptions = {},
): Promise<DeployCheck> {
  const parsed = await parseBpmn(xml);
  if (!parsed.definitions) {
    return {
      accepted: false,
      processes: [],
      problems: [
        {
          elementId: null,
          elementType: 'Definitions',
          message: `not readable BPMN XML: ${parsed.error}`,
        },
      ],
    };
  }
  const { processes, problems } = validateBpmn(parsed.definitions, opts);
  return { accepted: problems.length === 0, processes, problems };
}
