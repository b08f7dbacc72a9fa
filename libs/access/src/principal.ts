import { Logger } from '@nestjs/common';
import { CrmError, ErrorCode } from '@crm/common';
import type { CompiledEntity, MetadataModel } from '@crm/metadata';
import type { AccessAction, RecordAccess, RecordData, SqlFragment } from '@crm/records';
import { subject } from '@casl/ability';
import {
  type AppAbility,
  type AppRule,
  type UserContext,
  allFields,
  buildAbility,
  permittedFields,
  rulesOfRoles,
} from './ability';
import type { AuditService } from './audit.service';
import type { User } from './identity.service';
import { rulesForAction, rulesForProcess } from './process-rules';
import { accessSql } from './sql-condition';

const log = new Logger('access');

/** The placeholders a set of rules uses (values, and values inside $in/$nin/$ne). */
export function placeholdersOf(rules: AppRule[]): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string' && v.startsWith('$')) out.add(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const r of rules) visit(r.conditions);
  return out;
}

/**
 * One authenticated user for one request: their CASL ability (from the roles of the live model)
 * and, loaded on first need, the user context the rules' placeholders expand to.
 */
export class Principal implements RecordAccess {
  readonly rules: AppRule[];
  readonly ability: AppAbility;
  private ctx?: Promise<UserContext>;
  private readonly fieldCache = new Map<string, Set<string>>();

  constructor(
    readonly user: User,
    private readonly model: MetadataModel,
    private readonly loadContext: (needs: ReadonlySet<string>) => Promise<UserContext>,
    private readonly audit: AuditService,
    /** How the request authenticated: an access token or an API token. */
    readonly via: 'jwt' | 'api-token',
    rules?: AppRule[],
  ) {
    this.rules = rules ?? rulesOfRoles(model.roles, user.roles);
    this.ability = buildAbility(this.rules);
  }

  /**
   * The same user as far as starting process `processKey` goes: only the rules that allow (or
   * deny) that process, so `start` checks — on Workflow or on a record — answer for it alone.
   */
  forProcess(processKey: string): Principal {
    return new Principal(
      this.user,
      this.model,
      this.loadContext,
      this.audit,
      this.via,
      rulesForProcess(this.rules, processKey),
    );
  }

  /** The same user as far as running record action `name` goes (the `run` rules for it alone). */
  forAction(name: string): Principal {
    return new Principal(
      this.user,
      this.model,
      this.loadContext,
      this.audit,
      this.via,
      rulesForAction(this.rules, name),
    );
  }

  context(): Promise<UserContext> {
    this.ctx ??= this.loadContext(placeholdersOf(this.rules));
    return this.ctx;
  }

  /** Throws FORBIDDEN unless some rule lets the user do `action` on `subject` (an entity or system subject). */
  assert(action: string, subject: string): void {
    if (!this.ability.can(action, subject))
      throw this.deny(
        action,
        subject,
        `no role of ${this.user.login} allows ${action} on ${subject}`,
      );
  }

  async rows(entity: CompiledEntity, action: AccessAction, alias = 't'): Promise<SqlFragment> {
    if (!this.ability.can(action, entity.name))
      throw this.deny(action, entity.name, `no rule allows ${action} on ${entity.name}`);
    const where = accessSql(this.ability, action, entity, await this.context(), alias);
    if (!where) throw this.deny(action, entity.name, `no rule allows ${action} on ${entity.name}`);
    return where;
  }

  /**
   * Like rows(…, 'read'), but null rather than a denial when no rule reaches any row: for places
   * that join records optionally (which workflow instances a user may see) and must not log a
   * denial for merely asking.
   */
  async readableRows(entity: CompiledEntity, alias: string): Promise<SqlFragment | null> {
    if (!this.ability.can('read', entity.name)) return null;
    return accessSql(this.ability, 'read', entity, await this.context(), alias);
  }

  private fields(entity: CompiledEntity, action: string): Set<string> {
    const key = `${action}:${entity.name}`;
    let s = this.fieldCache.get(key);
    if (!s) {
      s = permittedFields(this.ability, action, entity);
      this.fieldCache.set(key, s);
    }
    return s;
  }

  canRead(entity: CompiledEntity, field: string): boolean {
    return this.fields(entity, 'read').has(field);
  }

  assertWrite(entity: CompiledEntity, action: 'create' | 'update', fields: string[]): void {
    if (!this.ability.can(action, entity.name))
      throw this.deny(action, entity.name, `no rule allows ${action} on ${entity.name}`);
    const allowed = this.fields(entity, action);
    // unknown names are left to validation, which answers them as unknown fields
    const known = new Set(allFields(entity));
    const bad = fields.filter((f) => known.has(f) && !allowed.has(f));
    if (bad.length)
      throw this.deny(action, entity.name, `you may not write ${bad.join(', ')}`, bad);
  }

  /**
   * The reason of the inverted rule that denies `action` on this record, when one does. Only for
   * the message: access itself is decided in SQL. Rules with user placeholders are skipped, as
   * CASL would compare the placeholder text itself.
   */
  denialReason(entity: CompiledEntity, action: string, record: RecordData): string | undefined {
    const rule = this.ability.relevantRuleFor(action, subject(entity.name, { ...record }));
    if (!rule?.inverted || !rule.reason) return undefined;
    if (placeholdersOf([{ action, subject: entity.name, conditions: rule.conditions }]).size)
      return undefined;
    return rule.reason;
  }

  deny(action: string, subject: string, reason: string, field?: string | string[]): CrmError {
    const fields = field === undefined ? [] : Array.isArray(field) ? field : [field];
    log.warn(`denied ${this.user.login} ${action} ${subject}: ${reason}`);
    this.audit.recordLater({
      actor: this.user.login,
      action,
      subject,
      outcome: 'denied',
      detail: { reason, ...(fields.length ? { fields } : {}) },
    });
    return new CrmError(
      ErrorCode.Forbidden,
      fields.length
        ? `you may not ${action} ${fields.join(', ')} of ${subject}`
        : `forbidden: ${reason}`,
      fields.length
        ? fields.map((f) => ({
            path: `/${f}`,
            message: `you may not ${action} ${f}`,
            action,
            field: f,
          }))
        : [{ path: subject, message: reason, action }],
    );
  }
}
