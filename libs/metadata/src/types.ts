/** Metadata documents as authored in YAML under metadata/ or sent to /api/meta/documents. */

export interface I18nText {
  'zh-CN': string;
  en: string;
}

export const FIELD_TYPES = [
  'text',
  'longText',
  'richText',
  'integer',
  'decimal',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'email',
  'phone',
  'url',
  'select',
  'multiSelect',
  'relation',
  'autoNumber',
  'file',
  'json',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface SelectOption {
  value: string;
  label: I18nText;
  color?: string;
}

export interface FieldDef {
  type: FieldType;
  label: I18nText;
  description?: I18nText;
  required?: boolean;
  unique?: boolean;
  default?: unknown;
  min?: number | string;
  max?: number | string;
  /** Maximum length of text-like values (also the column width of `text`). */
  length?: number;
  minLength?: number;
  pattern?: string;
  readOnly?: boolean;
  /** The field's previous name: the planner renames the column instead of dropping it. */
  renamedFrom?: string;
  precision?: number;
  scale?: number;
  /** Default ISO 4217 code of a currency field. */
  currency?: string;
  options?: SelectOption[];
  /** relation: the target entity and the kind of relation. */
  target?: string;
  relation?: 'manyToOne' | 'manyToMany';
  /** relation manyToOne: name and label of the one-to-many inverse on the target. */
  inverse?: { name: string; label: I18nText };
  /** autoNumber: e.g. `KH-{YYYY}{MM}-{seq:5}`. */
  codeRule?: string;
  /** file: accepted MIME types (prefix match, e.g. `image/`). */
  accept?: string[];
  /**
   * A computed field: FEEL over the record's own fields and one-hop `rel.field` of its manyToOne
   * relations, stored in the column on every write and read-only to clients (computed/).
   */
  formula?: string;
  /** A computed field aggregating the records of an inverse relation (computed/). */
  rollup?: RollupDef;
}

export const ROLLUP_FUNCTIONS = ['sum', 'count', 'min', 'max', 'avg'] as const;
export type RollupFunction = (typeof ROLLUP_FUNCTIONS)[number];

export interface RollupDef {
  /** The `inverse.name` of a manyToOne field of another entity pointing at this one. */
  relation: string;
  function: RollupFunction;
  /** The child's field aggregated (not for count). */
  field?: string;
  /** FEEL over the child's fields: only children for which it is true count. */
  filter?: string;
}

export interface IndexDef {
  name?: string;
  fields: string[];
  unique?: boolean;
}

export interface ValidationRule {
  name: string;
  /** FEEL boolean expression over the record's fields; false means invalid. */
  expression: string;
  message: I18nText;
}

export interface EntityDocument {
  kind: 'entity';
  name: string;
  label: I18nText;
  description?: I18nText;
  displayField: string;
  fields: Record<string, FieldDef>;
  indexes?: IndexDef[];
  rules?: ValidationRule[];
}

/**
 * Subjects that are not entities: `all`, and the engine's own resources (PascalCase, so they can
 * never collide with an entity's snake_case name).
 */
export const SYSTEM_SUBJECTS = ['all', 'User', 'Metadata', 'Audit', 'Workflow'] as const;

/**
 * What each action means on the `Workflow` subject: `read` every instance, task and incident (not
 * only those the user takes part in); `start` processes that are not about a record; `cancel` any
 * instance (a starter may always withdraw their own); `deploy` process definitions; `message`
 * correlate messages; `work` fetch and complete external jobs (integration workers); `operate`
 * retry incidents and complete or claim any task (an administrator's override).
 */
export const WORKFLOW_ACTIONS = [
  'manage',
  'read',
  'start',
  'cancel',
  'deploy',
  'message',
  'work',
  'operate',
] as const;

/** Actions a rule may name on an entity (the Workflow subject has its own list above). */
export const ENTITY_ACTIONS = [
  'manage',
  'create',
  'read',
  'update',
  'delete',
  'export',
  'import',
  'start',
  'run',
] as const;

/**
 * Actions a role rule may name; `manage` means every action. `start` on an entity lets the user
 * start a process about one of its records (within the rule's conditions); `run` lets them run a
 * record action (`action` documents; the condition key `actionName` names which); the other workflow
 * actions apply to the `Workflow` subject.
 */
export type RoleAction = (typeof ENTITY_ACTIONS)[number] | (typeof WORKFLOW_ACTIONS)[number];
export const ROLE_ACTIONS: readonly RoleAction[] = [
  ...new Set<RoleAction>([...ENTITY_ACTIONS, ...WORKFLOW_ACTIONS]),
];

/**
 * User-context placeholders a condition may use as a value. Each stands for a set of logins,
 * matched against a field that holds a login (owner, createdBy, a text field):
 * `$me` the user; `$myDepartment` members of the user's department; `$myDepartmentTree` members of
 * it and every department below; `$mySubordinates` direct and indirect reports.
 */
export const ROLE_PLACEHOLDERS = [
  '$me',
  '$myDepartment',
  '$myDepartmentTree',
  '$mySubordinates',
] as const;
export type RolePlaceholder = (typeof ROLE_PLACEHOLDERS)[number];

/**
 * A CASL rule as authored. `conditions` maps a field to a value, a placeholder or
 * `{ $in | $nin: [...] }` / `{ $ne: v }`; the key `$sharedWithMe: true` matches records shared
 * with the user. `inverted` rules deny, and win over the rules before them.
 */
export interface RoleRule {
  action: RoleAction | RoleAction[];
  subject: string | string[];
  fields?: string[];
  conditions?: Record<string, unknown>;
  inverted?: boolean;
  reason?: string;
}

export interface RoleDocument {
  kind: 'role';
  name: string;
  label: I18nText;
  description?: I18nText;
  rules: RoleRule[];
}

/** Kinds whose shape and checks live in kinds/ (one module each). */
export const EXTRA_KIND_NAMES = [
  'calendar',
  'trigger',
  'template',
  'action',
  'form',
  'view',
] as const;
export type ExtraKind = (typeof EXTRA_KIND_NAMES)[number];

/** A document of a kind from kinds/; its module exports the precise type. */
export interface ExtraDocument {
  kind: ExtraKind;
  name: string;
  label?: I18nText;
  [key: string]: unknown;
}

export type MetadataDocument = EntityDocument | RoleDocument | ExtraDocument;
export type DocumentKind = MetadataDocument['kind'];
export const DOCUMENT_KINDS: DocumentKind[] = ['entity', 'role', ...EXTRA_KIND_NAMES];

/** A document plus where it came from, so errors can name the file. */
export interface SourcedDocument<D extends MetadataDocument = MetadataDocument> {
  doc: D;
  /** Files it was read from: the base file, then any client overlay. */
  files: string[];
  /** For each top-level field name, the file that introduced it (overlays add fields). */
  fieldFiles?: Record<string, string>;
}

export const docKey = (d: { kind: string; name: string }): string => `${d.kind}/${d.name}`;
