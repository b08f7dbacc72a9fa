import { actionKind } from './action.kind';
import { calendarKind } from './calendar.kind';
import { formKind } from './form.kind';
import type { DocumentKindSpec } from './registry';
import { templateKind } from './template.kind';
import { triggerKind } from './trigger.kind';
import { viewKind } from './view.kind';

export * from './action.kind';
export * from './form.kind';
export * from './registry';
export * from './template.kind';
export * from './template-text';
export * from './trigger.kind';
export * from './view.kind';

/** The document kinds besides entity and role, one module each. */
export const EXTRA_KINDS: readonly DocumentKindSpec[] = [
  calendarKind,
  triggerKind,
  templateKind,
  actionKind,
  formKind,
  viewKind,
];
