import { mergeFiles } from './files-merge';
import type { MetadataDocument } from './types';

const l = { 'zh-CN': 'x', en: 'x' };
const role = (name: string, subject: string): MetadataDocument => ({
  kind: 'role',
  name,
  label: l,
  rules: [{ action: 'read', subject }],
});

describe('merging metadata/ files into the live documents at start-up', () => {
  const base = [role('rep', 'account'), role('mgr', 'account')];

  it('keeps an API edit of a document the files did not change', () => {
    const live = [role('rep', 'deal'), role('mgr', 'account')];
    const out = mergeFiles(base, live, base);
    expect(out.documents).toEqual([role('mgr', 'account'), role('rep', 'deal')]);
    expect(out.keptEdits).toEqual(['role/rep']);
    expect(out.conflicts).toEqual([]);
  });

  it('takes what only the files changed, and adds and removes what only they did', () => {
    const files = [role('rep', 'lead'), role('new', 'tag')];
    const out = mergeFiles(base, base, files);
    expect(out.documents).toEqual([role('new', 'tag'), role('rep', 'lead')]);
  });

  it('keeps the live edit and reports it when both changed a document differently', () => {
    const live = [role('rep', 'deal'), role('mgr', 'account'), role('apiOnly', 'x')];
    const files = [role('rep', 'lead'), role('mgr', 'account')];
    const out = mergeFiles(base, live, files);
    expect(out.conflicts).toEqual(['role/rep']);
    expect(out.documents).toEqual(
      expect.arrayContaining([role('rep', 'deal'), role('apiOnly', 'x')]),
    );
  });
});
