/**
 * Typed errors a user can cause. Each carries a machine-readable code, an HTTP status and the
 * places it concerns; the HTTP layer maps them once into the one error shape:
 * `{ statusCode, code, message, errors: [{ path, message }] }`.
 */
export enum ErrorCode {
  MetadataInvalid = 'METADATA_INVALID',
  DocumentNotFound = 'DOCUMENT_NOT_FOUND',
  EntityNotFound = 'ENTITY_NOT_FOUND',
  FieldUnknown = 'FIELD_UNKNOWN',
  /** A write sets a formula or rollup field, which only the server computes. */
  FieldComputed = 'FIELD_COMPUTED',
  RecordNotFound = 'RECORD_NOT_FOUND',
  RecordInvalid = 'RECORD_INVALID',
  VersionConflict = 'VERSION_CONFLICT',
  UniqueViolation = 'UNIQUE_VIOLATION',
  FilterInvalid = 'FILTER_INVALID',
  QueryInvalid = 'QUERY_INVALID',
  DestructiveChangeUnconfirmed = 'DESTRUCTIVE_CHANGE_UNCONFIRMED',
  PlanBlocked = 'PLAN_BLOCKED',
  PlanStale = 'PLAN_STALE',
  DraftConflict = 'DRAFT_CONFLICT',
  EntityUnavailable = 'ENTITY_UNAVAILABLE',
  RevisionNotFound = 'REVISION_NOT_FOUND',
  FileNotFound = 'FILE_NOT_FOUND',
  FileTooLarge = 'FILE_TOO_LARGE',
  BadRequest = 'BAD_REQUEST',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  ConfigInvalid = 'CONFIG_INVALID',
  BpmnInvalid = 'BPMN_INVALID',
  DmnInvalid = 'DMN_INVALID',
  DecisionNotFound = 'DECISION_NOT_FOUND',
  DefinitionNotFound = 'DEFINITION_NOT_FOUND',
  NotStartable = 'NOT_STARTABLE',
  InstanceNotFound = 'INSTANCE_NOT_FOUND',
  TaskNotFound = 'TASK_NOT_FOUND',
  TaskConflict = 'TASK_CONFLICT',
  FlowStuck = 'FLOW_STUCK',
  ElementNotExecutable = 'ELEMENT_NOT_EXECUTABLE',
  VariablesInvalid = 'VARIABLES_INVALID',
  VariablesTooLarge = 'VARIABLES_TOO_LARGE',
  MessageNotCorrelated = 'MESSAGE_NOT_CORRELATED',
  MessageAlreadyPublished = 'MESSAGE_ALREADY_PUBLISHED',
  JobNotFound = 'JOB_NOT_FOUND',
  JobLockLost = 'JOB_LOCK_LOST',
  IncidentNotFound = 'INCIDENT_NOT_FOUND',
  IncidentResolved = 'INCIDENT_RESOLVED',
  InstanceNotActive = 'INSTANCE_NOT_ACTIVE',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  RateLimited = 'RATE_LIMITED',
  UserNotFound = 'USER_NOT_FOUND',
  DepartmentNotFound = 'DEPARTMENT_NOT_FOUND',
  ImportTooLarge = 'IMPORT_TOO_LARGE',
  QueryTimeout = 'QUERY_TIMEOUT',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  NotReady = 'NOT_READY',
  SavedViewNotFound = 'SAVED_VIEW_NOT_FOUND',
  // approvals
  ActionNotAllowed = 'ACTION_NOT_ALLOWED',
  WithdrawNotAllowed = 'WITHDRAW_NOT_ALLOWED',
  MailNotFound = 'MAIL_NOT_FOUND',
  MailNotFailed = 'MAIL_NOT_FAILED',
  ApproversEmpty = 'APPROVERS_EMPTY',
  RecordLocked = 'RECORD_LOCKED',
  TriggerLoop = 'TRIGGER_LOOP',
  TriggerNotFound = 'TRIGGER_NOT_FOUND',
  ClusterVariableNotFound = 'CLUSTER_VARIABLE_NOT_FOUND',
  ClusterVariableExists = 'CLUSTER_VARIABLE_EXISTS',
  ClusterVariableInvalid = 'CLUSTER_VARIABLE_INVALID',
  Internal = 'INTERNAL_ERROR',
}

export interface ErrorDetail {
  /** JSON pointer (records, documents), field name or query parameter the problem is at. */
  path: string;
  message: string;
  /** Metadata errors also say which document and file they come from. */
  document?: string;
  file?: string;
  /** Machine-readable reason (ajv keyword, rule name...). */
  reason?: string;
  /**
   * Record validation: the reason's parameters (ajv's: limit, format, allowedValues...), so a client
   * can word the message in its user's language instead of showing the English one.
   */
  params?: Record<string, unknown>;
  /** BPMN problems name the diagram element. */
  elementId?: string | null;
  elementType?: string;
  /** Access denials name the action and, for field-level ones, the field. */
  action?: string;
  field?: string;
}

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.MetadataInvalid]: 400,
  [ErrorCode.DocumentNotFound]: 404,
  [ErrorCode.EntityNotFound]: 404,
  [ErrorCode.FieldUnknown]: 400,
  [ErrorCode.FieldComputed]: 400,
  [ErrorCode.RecordNotFound]: 404,
  [ErrorCode.RecordInvalid]: 400,
  [ErrorCode.VersionConflict]: 409,
  [ErrorCode.UniqueViolation]: 409,
  [ErrorCode.FilterInvalid]: 400,
  [ErrorCode.QueryInvalid]: 400,
  [ErrorCode.DestructiveChangeUnconfirmed]: 409,
  [ErrorCode.PlanBlocked]: 409,
  [ErrorCode.PlanStale]: 409,
  [ErrorCode.DraftConflict]: 409,
  [ErrorCode.EntityUnavailable]: 503,
  [ErrorCode.RevisionNotFound]: 404,
  [ErrorCode.FileNotFound]: 404,
  [ErrorCode.FileTooLarge]: 413,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.RouteNotFound]: 404,
  [ErrorCode.ConfigInvalid]: 500,
  [ErrorCode.BpmnInvalid]: 400,
  [ErrorCode.DmnInvalid]: 400,
  [ErrorCode.DecisionNotFound]: 404,
  [ErrorCode.DefinitionNotFound]: 404,
  [ErrorCode.NotStartable]: 409,
  [ErrorCode.InstanceNotFound]: 404,
  [ErrorCode.TaskNotFound]: 404,
  [ErrorCode.TaskConflict]: 409,
  [ErrorCode.FlowStuck]: 409,
  [ErrorCode.ElementNotExecutable]: 409,
  [ErrorCode.VariablesInvalid]: 400,
  [ErrorCode.VariablesTooLarge]: 413,
  [ErrorCode.MessageNotCorrelated]: 404,
  [ErrorCode.MessageAlreadyPublished]: 409,
  [ErrorCode.JobNotFound]: 404,
  [ErrorCode.JobLockLost]: 409,
  [ErrorCode.IncidentNotFound]: 404,
  [ErrorCode.IncidentResolved]: 409,
  [ErrorCode.InstanceNotActive]: 409,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.UserNotFound]: 404,
  [ErrorCode.DepartmentNotFound]: 404,
  [ErrorCode.ImportTooLarge]: 413,
  [ErrorCode.QueryTimeout]: 503,
  [ErrorCode.TooManyRequests]: 429,
  [ErrorCode.NotReady]: 503,
  [ErrorCode.SavedViewNotFound]: 404,
  [ErrorCode.ActionNotAllowed]: 422,
  [ErrorCode.WithdrawNotAllowed]: 409,
  [ErrorCode.MailNotFound]: 404,
  [ErrorCode.MailNotFailed]: 409,
  // an approval node found nobody to decide and its rule is to refuse the start or step
  [ErrorCode.ApproversEmpty]: 422,
  [ErrorCode.RecordLocked]: 409,
  [ErrorCode.TriggerLoop]: 409,
  [ErrorCode.TriggerNotFound]: 404,
  [ErrorCode.ClusterVariableNotFound]: 404,
  [ErrorCode.ClusterVariableExists]: 409,
  [ErrorCode.ClusterVariableInvalid]: 400,
  [ErrorCode.Internal]: 500,
};

export class CrmError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: ErrorDetail[] = [],
    /** Extra payload a client needs to recover (the current record on a 409, the plan...). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CrmError';
    this.status = STATUS[code];
  }
}

export const isCrmError = (e: unknown): e is CrmError => e instanceof CrmError;
