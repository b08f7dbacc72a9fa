import type { TableDef } from './table-def';

const id = {
  name: 'id',
  type: { base: 'bigint' as const },
  nullable: false,
  primary: true,
  autoIncrement: true,
};
const at = (name: string) => ({ name, type: { base: 'datetime' as const }, nullable: false });
const str = (name: string, length: number, nullable = true) => ({
  name,
  type: { base: 'varchar' as const, length },
  nullable,
});
const long = (name: string, nullable = true) => ({
  name,
  type: { base: 'longtext' as const },
  nullable,
});
const big = (name: string, nullable = true) => ({
  name,
  type: { base: 'bigint' as const },
  nullable,
});

const bool = (name: string) => ({ name, type: { base: 'boolean' as const }, nullable: false });

/** The engine's own tables. They are created and widened by the same planner as entity tables. */
export const SYSTEM_TABLES: TableDef[] = [
  {
    name: 'crm_meta_revision',
    columns: [
      id,
      at('created_at'),
      str('actor', 64),
      str('source', 16, false),
      str('message', 500),
      long('documents', false),
      long('changes', false),
      str('files_hash', 64),
      big('rollback_of'),
      // what metadata/ said (source files): the base of the next start-up's three-way merge
      long('files_documents'),
    ],
    indexes: [],
  },
  {
    name: 'crm_meta_draft',
    columns: [
      id,
      str('kind', 32, false),
      str('name', 64, false),
      long('body'),
      // content hash of body: the version an editor must name to overwrite it
      str('version', 16),
      str('updated_by', 64),
      at('updated_at'),
    ],
    indexes: [{ name: 'ux_crm_meta_draft_doc', columns: ['kind', 'name'], unique: true }],
  },
  {
    // one row per apply on MySQL, where DDL is not transactional: which statements, how many ran
    name: 'crm_meta_apply',
    columns: [
      id,
      at('started_at'),
      str('actor', 64),
      str('state', 16, false),
      long('entities', false),
      long('statements', false),
      { name: 'done', type: { base: 'int' as const }, nullable: false },
      str('error', 1000),
      big('revision'),
    ],
    indexes: [{ name: 'ix_crm_meta_apply_state', columns: ['state'], unique: false }],
  },
  {
    name: 'crm_record_history',
    columns: [
      id,
      str('entity', 64, false),
      big('record_id', false),
      str('action', 16, false),
      str('field', 64),
      long('old_value'),
      long('new_value'),
      str('actor', 64),
      at('at'),
    ],
    indexes: [
      {
        name: 'ix_crm_record_history_record',
        columns: ['entity', 'record_id', 'id'],
        unique: false,
      },
    ],
  },
  {
    name: 'crm_sequence',
    columns: [str('seq_key', 191, false), big('value', false)],
    primaryKey: ['seq_key'],
    indexes: [],
  },
  {
    name: 'crm_wf_definition',
    columns: [
      id,
      str('process_key', 191, false),
      { name: 'version', type: { base: 'int' as const }, nullable: false },
      str('name', 255),
      { name: 'executable', type: { base: 'boolean' as const }, nullable: false },
      str('resource', 255),
      long('xml', false),
      str('sha256', 64, false),
      str('deployed_by', 64),
      at('deployed_at'),
    ],
    indexes: [
      {
        name: 'ux_crm_wf_definition_key_version',
        columns: ['process_key', 'version'],
        unique: true,
      },
    ],
  },
  {
    // DMN decisions, versioned by decision id like processes by key (Zeebe does the same); each
    // row keeps its whole file, so required decisions are evaluated from the same version
    name: 'crm_wf_decision',
    columns: [
      id,
      str('decision_id', 191, false),
      { name: 'version', type: { base: 'int' as const }, nullable: false },
      str('name', 255),
      str('drg_id', 191, false),
      str('drg_name', 255),
      str('resource', 255),
      long('xml', false),
      str('sha256', 64, false),
      str('deployed_by', 64),
      at('deployed_at'),
    ],
    indexes: [
      {
        name: 'ux_crm_wf_decision_id_version',
        columns: ['decision_id', 'version'],
        unique: true,
      },
    ],
  },
  {
    name: 'crm_wf_instance',
    columns: [
      id,
      big('definition_id', false),
      str('process_key', 191, false),
      { name: 'definition_version', type: { base: 'int' as const }, nullable: false },
      str('business_key', 191),
      str('state', 16, false),
      long('variables', false),
      str('started_by', 64),
      at('started_at'),
      { name: 'ended_at', type: { base: 'datetime' as const }, nullable: true },
      { name: 'version', type: { base: 'int' as const }, nullable: false },
      // a call activity's child instance points back at the waiting execution of its parent
      big('parent_instance_id'),
      big('parent_execution_id'),
      // the record the instance is about (approval of a quote, ...)
      str('record_entity', 64),
      big('record_id'),
      // kept with every step so reading an instance's diagram state needs no history scan
      long('element_counts'),
      { name: 'open_incidents', type: { base: 'int' as const }, nullable: true },
      // approvals: the outcome (approved, rejected, withdrawn...), the last 催办 (rate limit), and
      // the record's values before the engine first wrote them (restored on withdraw / cancel)
      str('outcome', 16),
      { name: 'last_reminded_at', type: { base: 'datetime' as const }, nullable: true },
      long('record_restore'),
      // the instance's tokens, JSON (engine/tokens.ts): written with the row at every step, so
      // moving a token costs no statement of its own; null = none yet (a legacy row, see there)
      long('tokens'),
    ],
    indexes: [
      { name: 'ix_crm_wf_instance_key_state', columns: ['process_key', 'state'], unique: false },
      { name: 'ix_crm_wf_instance_record', columns: ['record_entity', 'record_id'], unique: false },
      { name: 'ix_crm_wf_instance_parent', columns: ['parent_instance_id'], unique: false },
      // the inbox's "initiated" box: a user's own top-level instances, newest first, off the index
      {
        name: 'ix_crm_wf_instance_started_by',
        columns: ['started_by', 'parent_instance_id', 'id'],
        unique: false,
      },
    ],
  },
  {
    // Token ids come in blocks (engine/tokens.ts): a row's AUTO_INCREMENT id b hands out the ids
    // b × 1000 … b × 1000 + 999, so a token costs no statement of its own. Ids of rolled-back
    // blocks are never handed out again (MySQL 8 / MariaDB 10.2.4+ keep AUTO_INCREMENT on restart).
    name: 'crm_wf_token_block',
    columns: [id, at('created_at')],
    indexes: [],
  },
  {
    name: 'crm_wf_task',
    columns: [
      id,
      big('instance_id', false),
      big('execution_id', false),
      str('element_id', 191, false),
      str('name', 255),
      str('assignee', 64),
      str('candidate_groups', 500),
      str('candidate_users', 500),
      str('state', 16, false),
      at('created_at'),
      { name: 'completed_at', type: { base: 'datetime' as const }, nullable: true },
      str('completed_by', 64),
      { name: 'version', type: { base: 'int' as const }, nullable: false },
      // approvals: when it is due (business calendar), who delegated it (it comes back to them),
      // and how it ended (approve, reject, return, transfer, ...; null = plain completion)
      { name: 'due_at', type: { base: 'datetime' as const }, nullable: true },
      str('owner', 64),
      str('outcome', 16),
      // a signer added to someone's task (加签): `before` / `after` / `along`, with the task it
      // belongs to; `resubmit` = the initiator's task after a return to them; null = the node's own
      str('kind', 16),
      big('parent_task_id'),
      // zeebe:priorityDefinition (0..100, Camunda 8.6); null on tasks from before it was kept,
      // which read as Zeebe's default 50
      { name: 'priority', type: { base: 'int' as const }, nullable: true },
    ],
    indexes: [
      // a user's inbox is found from this and crm_wf_task_candidate, never by scanning tasks: one
      // (assignee, state) index serves "mine" and "mine, open" (two indexes made MariaDB build a
      // row-id filter over every open task for each inbox read, and cost every task write)
      { name: 'ix_crm_wf_task_assignee_state', columns: ['assignee', 'state'], unique: false },
      { name: 'ix_crm_wf_task_state_due', columns: ['state', 'due_at'], unique: false },
      { name: 'ix_crm_wf_task_instance', columns: ['instance_id'], unique: false },
      { name: 'ix_crm_wf_task_completed_by', columns: ['completed_by'], unique: false },
    ],
  },
  {
    // One row per candidate of a task (kind user or group, the name), or one `open` row for a
    // task offered to nobody in particular: the inbox looks candidates up by index instead of
    // matching the comma-joined lists of every task.
    name: 'crm_wf_task_candidate',
    columns: [id, big('task_id', false), str('kind', 8, false), str('name', 191, false)],
    indexes: [
      {
        name: 'ix_crm_wf_task_candidate_lookup',
        columns: ['kind', 'name', 'task_id'],
        unique: false,
      },
      { name: 'ix_crm_wf_task_candidate_task', columns: ['task_id'], unique: false },
    ],
  },
  {
    name: 'crm_wf_history',
    columns: [
      id,
      big('instance_id', false),
      str('element_id', 191),
      str('element_type', 64),
      str('event', 16, false),
      str('actor', 64),
      long('detail'),
      at('at'),
    ],
    indexes: [
      { name: 'ix_crm_wf_history_instance', columns: ['instance_id', 'id'], unique: false },
      // the inbox's "done" box: tasks a user handled without closing them (delegated,
      // transferred, signers added) are known only by their actions here
      { name: 'ix_crm_wf_history_actor', columns: ['actor', 'event'], unique: false },
    ],
  },
  {
    // timers, async service tasks and external jobs; acquired with FOR UPDATE SKIP LOCKED
    name: 'crm_wf_job',
    columns: [
      id,
      str('kind', 16, false),
      str('type', 191),
      big('definition_id'),
      big('instance_id'),
      big('execution_id'),
      str('element_id', 191, false),
      at('due_at'),
      str('lock_owner', 191),
      { name: 'lock_expires_at', type: { base: 'datetime' as const }, nullable: true },
      { name: 'retries', type: { base: 'int' as const }, nullable: false },
      { name: 'attempts', type: { base: 'int' as const }, nullable: false },
      long('last_error'),
      str('state', 16, false),
      // timer cycles: repetitions left (-1 = unbounded) and the spec to compute the next due time
      long('payload'),
      at('created_at'),
    ],
    indexes: [
      { name: 'ix_crm_wf_job_due', columns: ['state', 'kind', 'due_at'], unique: false },
      { name: 'ix_crm_wf_job_type', columns: ['kind', 'type', 'state'], unique: false },
      { name: 'ix_crm_wf_job_instance', columns: ['instance_id'], unique: false },
    ],
  },
  {
    // who waits for which message: instance-level catches, or a definition's message start
    name: 'crm_wf_subscription',
    columns: [
      id,
      big('definition_id'),
      big('instance_id'),
      big('execution_id'),
      str('element_id', 191, false),
      str('message_name', 191, false),
      str('correlation_key', 191),
      at('created_at'),
      // null: a message subscription; 'signal': a signal's (broadcast by name, no key)
      str('kind', 16),
    ],
    indexes: [
      {
        name: 'ix_crm_wf_subscription_message',
        columns: ['message_name', 'correlation_key'],
        unique: false,
      },
      { name: 'ix_crm_wf_subscription_instance', columns: ['instance_id'], unique: false },
    ],
  },
  {
    // published messages buffered for their time to live (Zeebe's message buffering); each is
    // correlated at most once per process (the keys it went to are in `correlated`)
    name: 'crm_wf_message',
    columns: [
      id,
      str('message_name', 191, false),
      str('correlation_key', 191),
      str('message_id', 191),
      long('variables'),
      long('correlated'),
      at('expires_at'),
      at('created_at'),
    ],
    indexes: [
      {
        name: 'ix_crm_wf_message_name',
        columns: ['message_name', 'correlation_key'],
        unique: false,
      },
      { name: 'ix_crm_wf_message_id', columns: ['message_id'], unique: false },
      { name: 'ix_crm_wf_message_expires', columns: ['expires_at'], unique: false },
    ],
  },
  {
    name: 'crm_wf_incident',
    columns: [
      id,
      big('instance_id', false),
      big('execution_id'),
      big('job_id'),
      str('element_id', 191),
      str('kind', 32, false),
      long('message', false),
      str('state', 16, false),
      at('created_at'),
      { name: 'resolved_at', type: { base: 'datetime' as const }, nullable: true },
      str('resolved_by', 64),
    ],
    indexes: [
      { name: 'ix_crm_wf_incident_state', columns: ['state', 'instance_id'], unique: false },
    ],
  },
  {
    // in-app notifications written by the built-in notification task type
    name: 'crm_notification',
    columns: [
      id,
      str('recipient', 64, false),
      str('subject', 500, false),
      long('body'),
      big('instance_id'),
      at('created_at'),
      { name: 'read_at', type: { base: 'datetime' as const }, nullable: true },
      // assignment, reminder, escalation, return, outcome, cc (null: a crm:notify task)
      str('kind', 16),
      big('task_id'),
    ],
    indexes: [
      { name: 'ix_crm_notification_recipient', columns: ['recipient', 'id'], unique: false },
    ],
  },
  {
    name: 'crm_file',
    columns: [
      str('id', 36, false),
      str('name', 255, false),
      str('mime', 128, false),
      big('size', false),
      str('sha256', 64, false),
      str('created_by', 64),
      at('created_at'),
    ],
    primaryKey: ['id'],
    indexes: [],
  },
  {
    // a user's own saved list views (web app): filter, sort, columns, mode, as JSON
    name: 'crm_saved_view',
    columns: [
      id,
      str('owner', 64, false),
      str('entity', 64, false),
      str('name', 100, false),
      long('definition', false),
      at('created_at'),
      at('updated_at'),
    ],
    indexes: [
      { name: 'ix_crm_saved_view_owner', columns: ['owner', 'entity', 'name'], unique: true },
    ],
  },
  // ---- access: identities, sessions, audit (issue 4) ----
  {
    name: 'crm_department',
    columns: [id, str('name', 200, false), big('parent_id'), big('head_id'), at('created_at')],
    indexes: [{ name: 'ix_crm_department_parent', columns: ['parent_id'], unique: false }],
  },
  {
    name: 'crm_user',
    columns: [
      id,
      str('login', 64, false),
      str('display_name', 200),
      str('email', 200),
      str('phone', 64),
      str('locale', 16),
      bool('active'),
      str('password_hash', 255),
      big('department_id'),
      big('supervisor_id'),
      str('roles', 1000, false),
      at('created_at'),
      at('updated_at'),
      // raised to end every session (logout everywhere, new password, deactivation): access
      // tokens carry the epoch they were issued in and die with it, not at their expiry
      { name: 'session_epoch', type: { base: 'int' as const }, nullable: true },
    ],
    indexes: [
      { name: 'ux_crm_user_login', columns: ['login'], unique: true },
      { name: 'ix_crm_user_department', columns: ['department_id', 'login'], unique: false },
      { name: 'ix_crm_user_supervisor', columns: ['supervisor_id'], unique: false },
    ],
  },
  {
    name: 'crm_refresh_token',
    columns: [
      id,
      big('user_id', false),
      str('token_hash', 64, false),
      at('created_at'),
      at('expires_at'),
      { name: 'revoked_at', type: { base: 'datetime' as const }, nullable: true },
      // one login: kept by every rotation of its refresh token, carried by its access tokens
      str('session_id', 36),
    ],
    indexes: [{ name: 'ux_crm_refresh_token_hash', columns: ['token_hash'], unique: true }],
  },
  {
    // sessions ended by a logout, kept while their access tokens could still be presented
    name: 'crm_session_end',
    columns: [id, str('session_id', 36, false), at('ended_at')],
    indexes: [{ name: 'ix_crm_session_end_at', columns: ['ended_at'], unique: false }],
  },
  {
    name: 'crm_api_token',
    columns: [
      id,
      big('user_id', false),
      str('name', 200, false),
      str('token_hash', 64, false),
      at('created_at'),
      { name: 'revoked_at', type: { base: 'datetime' as const }, nullable: true },
    ],
    indexes: [{ name: 'ux_crm_api_token_hash', columns: ['token_hash'], unique: true }],
  },
  {
    name: 'crm_login_attempt',
    columns: [id, str('attempt_key', 191, false), at('at')],
    indexes: [{ name: 'ix_crm_login_attempt_key', columns: ['attempt_key', 'at'], unique: false }],
  },
  {
    name: 'crm_audit',
    columns: [
      id,
      at('at'),
      str('actor', 64),
      str('action', 64, false),
      str('subject', 191),
      str('outcome', 16, false),
      long('detail'),
    ],
    indexes: [{ name: 'ix_crm_audit_at', columns: ['at'], unique: false }],
  },
  {
    // Camunda 8.9 cluster variables: `global` ones (camunda.vars.cluster / env) and the default
    // tenant's (camunda.vars.tenant / env), as JSON; every FEEL expression of the engine reads them
    name: 'crm_wf_cluster_variable',
    columns: [
      id,
      str('scope', 16, false),
      str('name', 191, false),
      long('value', false),
      at('updated_at'),
      str('updated_by', 64),
    ],
    indexes: [{ name: 'ux_crm_wf_cluster_variable', columns: ['scope', 'name'], unique: true }],
  },
  {
    name: 'crm_setting',
    columns: [str('setting_key', 191, false), long('value', false)],
    primaryKey: ['setting_key'],
    indexes: [],
  },
  {
    name: 'crm_record_share',
    columns: [id, str('entity', 64, false), big('record_id', false), str('login', 64, false)],
    indexes: [
      {
        name: 'ux_crm_record_share',
        columns: ['entity', 'login', 'record_id'],
        unique: true,
      },
    ],
  },
  {
    // 抄送: users who see an instance and its record read-only (a node setting or an action)
    name: 'crm_wf_cc',
    columns: [
      id,
      big('instance_id', false),
      str('login', 64, false),
      str('element_id', 191),
      str('cc_by', 64),
      at('created_at'),
      { name: 'read_at', type: { base: 'datetime' as const }, nullable: true },
    ],
    indexes: [
      { name: 'ux_crm_wf_cc', columns: ['login', 'instance_id'], unique: true },
      { name: 'ix_crm_wf_cc_instance', columns: ['instance_id'], unique: false },
      // the inbox's "cc" box: a user's CCs, newest first, off the index
      { name: 'ix_crm_wf_cc_login', columns: ['login', 'id'], unique: false },
    ],
  },
  {
    // email waiting to be sent (or sent / failed) by the mail job, outside the step that caused it
    name: 'crm_mail_outbox',
    columns: [
      id,
      str('recipient', 64),
      str('address', 320, false),
      str('locale', 16),
      str('template', 64),
      str('subject', 500, false),
      long('body', false),
      str('state', 16, false),
      { name: 'attempts', type: { base: 'int' as const }, nullable: false },
      { name: 'next_attempt_at', type: { base: 'datetime' as const }, nullable: true },
      str('last_error', 1000),
      big('instance_id'),
      at('created_at'),
      { name: 'sent_at', type: { base: 'datetime' as const }, nullable: true },
    ],
    indexes: [
      { name: 'ix_crm_mail_outbox_due', columns: ['state', 'next_attempt_at'], unique: false },
    ],
  },
];
