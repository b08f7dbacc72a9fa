export {
  INBOX_BOXES,
  INBOX_SORTS,
  MAX_LIMIT as INBOX_MAX_LIMIT,
  MAX_TEXT as INBOX_MAX_TEXT,
  type InboxBox,
  type InboxQuery,
  type InboxSort,
  dueStateOf,
  parseInboxQuery,
} from './inbox-query';
export * from './inbox.service';
export { type FieldReader, type RecordSummary, SUMMARY_FIELDS } from './record-summary';
export * from './timeline.service';
