import { type MongoAbility, type RawRuleOf, createMongoAbility } from '@casl/ability';
import { packRules, permittedFieldsOf } from '@casl/ability/extra';
import {
  type CompiledEntity,
  RESERVED_FIELD_NAMES,
  type RoleDocument,
  type RoleRule,
} from '@crm/metadata';

export type AppAbility = MongoAbility;
export type AppRule = RawRuleOf<AppAbility>;

/** What a user context placeholder expands to; loaded once per request when a rule needs it. */
export interface UserContext {
  login: string;
  userId: number;
  departmentId: number | null;
  /** The user's department and every department below it. */
  departmentTree: number[];
  /** Logins of the user's direct and indirect reports. */
  subordinates: string[];
  /**
   * Logins of the members of departmentTree, when few enough to send as parameters: a literal
   * IN list checks each row faster than the semi-join over crm_user (see tests/bench/access).
   */
  departmentTreeMembers?: string[];
}

/** Used when no role document named `admin` exists, so a fresh system always has one superuser. */
export const BUILTIN_ADMIN: RoleDocument = {
  kind: 'role',
  name: 'admin',
  label: { 'zh-CN': '管理员', en: 'Administrator' },
  rules: [{ action: 'manage', subject: 'all' }],
};

/** System fields every entity has, readable and writable like fields unless a rule lists fields. */
export const SYSTEM_FIELDS = RESERVED_FIELD_NAMES;

const toRaw = (r: RoleRule): AppRule => ({
  action: r.action,
  subject: r.subject,
  ...(r.fields ? { fields: r.fields } : {}),
  ...(r.conditions ? { conditions: r.conditions } : {}),
  ...(r.inverted ? { inverted: true } : {}),
  ...(r.reason ? { reason: r.reason } : {}),
});

/**
 * The CASL rules of a set of roles. CASL lets a later rule override an earlier one; a user holding
 * several roles expects a denial in any of them to hold, so every inverted rule goes after every
 * allowing rule. Unknown role names contribute nothing (a role deleted while users still hold it).
 */
export function rulesOfRoles(roles: Map<string, RoleDocument>, names: string[]): AppRule[] {
  const docs = names
    .map((n) => roles.get(n) ?? (n === 'admin' ? BUILTIN_ADMIN : undefined))
    .filter((d): d is RoleDocument => !!d);
  const all = docs.flatMap((d) => d.rules);
  return [...all.filter((r) => !r.inverted), ...all.filter((r) => r.inverted)].map(toRaw);
}

export function buildAbility(rules: AppRule[]): AppAbility {
  return createMongoAbility(rules);
}

/** Every field name of an entity, system fields included. */
export const allFields = (e: CompiledEntity): string[] => [
  ...SYSTEM_FIELDS,
  ...Object.keys(e.fields),
];

/**
 * Fields the user may `action` on some record of the entity. Field lists are decided per entity:
 * a rule's conditions narrow which records it reaches, not which fields it grants.
 */
export function permittedFields(
  ability: AppAbility,
  action: string,
  e: CompiledEntity,
): Set<string> {
  const every = allFields(e);
  return new Set(
    permittedFieldsOf(ability, action, e.name, { fieldsFrom: (rule) => rule.fields ?? every }),
  );
}

/** The rules in CASL's packed form, for the browser (`unpackRules` + @casl/react). */
export function packForClient(rules: AppRule[]): unknown[] {
  return packRules(rules);
}
