import { CrmError, ErrorCode } from '@crm/common';

export function parseId(raw: string, name = 'id'): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) {
    throw new CrmError(ErrorCode.QueryInvalid, `${name} must be a positive integer`, [
      { path: name, message: `"${raw}" is not a record id` },
    ]);
  }
  return Number(raw);
}

export function parseList(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  return String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseJsonParam(raw: unknown, name: string): unknown {
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(String(raw));
  } catch {
    throw new CrmError(ErrorCode.FilterInvalid, `${name} is not valid JSON`, [
      { path: name, message: 'not valid JSON' },
    ]);
  }
}

export function parseOptionalInt(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n))
    throw new CrmError(ErrorCode.QueryInvalid, `${name} must be an integer`, [
      { path: name, message: 'not an integer' },
    ]);
  return n;
}
