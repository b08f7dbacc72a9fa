import type { ErrorDetail } from '@crm/common';
import type { EntityDocument, MetadataDocument, SourcedDocument } from '../types';
import { validateDocuments } from '../validate';

const t = (en: string) => ({ 'zh-CN': en, en });

/** A small entity with one field of each kind a form or view cares about (specs only). */
export const deal: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: t('Deal'),
  displayField: 'title',
  fields: {
    code: { type: 'autoNumber', label: t('Code'), codeRule: 'D-{seq:4}' },
    title: { type: 'text', label: t('Title'), required: true },
    stage: {
      type: 'select',
      label: t('Stage'),
      required: true,
      default: 'new',
      options: [
        { value: 'new', label: t('New') },
        { value: 'won', label: t('Won') },
      ],
    },
    tags: {
      type: 'multiSelect',
      label: t('Tags'),
      options: [{ value: 'vip', label: t('VIP') }],
    },
    total: { type: 'currency', label: t('Total') },
    rate: { type: 'percent', label: t('Rate') },
    closed: { type: 'boolean', label: t('Closed') },
    note: { type: 'longText', label: t('Note') },
    extra: { type: 'json', label: t('Extra') },
    account: { type: 'relation', label: t('Account'), target: 'account', relation: 'manyToOne' },
    peers: { type: 'relation', label: t('Peers'), target: 'account', relation: 'manyToMany' },
    closeDate: { type: 'date', label: t('Close date') },
  },
};

export const account: EntityDocument = {
  kind: 'entity',
  name: 'account',
  label: t('Account'),
  displayField: 'name',
  fields: { name: { type: 'text', label: t('Name'), required: true } },
};

const sourced = (...docs: unknown[]): SourcedDocument[] =>
  docs.map((doc, i) => ({ doc: doc as MetadataDocument, files: [`doc${i}.yaml`] }));

/** The errors of `doc` validated beside the two entities, as path + message. */
export const layoutErrors = (doc: unknown): Array<Pick<ErrorDetail, 'path' | 'message'>> =>
  validateDocuments(sourced(deal, account, doc)).map(({ path, message }) => ({ path, message }));
