import { Alert } from 'antd';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { type Problem, minutesToWait } from './problems';

/** A headline in the user's language per error code; the server's own words go under it. */
const HEADLINE: Record<string, MessageKey> = {
  TASK_CONFLICT: 'problem.conflict',
  ACTION_NOT_ALLOWED: 'problem.notAllowed',
  WITHDRAW_NOT_ALLOWED: 'problem.noWithdraw',
  INSTANCE_NOT_ACTIVE: 'problem.notActive',
  VARIABLES_INVALID: 'problem.variables',
  BAD_REQUEST: 'problem.badRequest',
  FORBIDDEN: 'problem.forbidden',
  TASK_NOT_FOUND: 'problem.gone',
  FILE_TOO_LARGE: 'problem.tooLarge',
};

/**
 * A refused action, inline where it was tried: the server's message (409 "already approved",
 * 422 "not allowed here: …", 429 with the wait) and the fields it names that no form shows.
 */
export function ProblemAlert({
  problem,
  hideFields = [],
}: {
  problem: Problem | null;
  /** Paths shown elsewhere (on the variables form's fields). */
  hideFields?: RegExp[];
}) {
  const { t } = useI18n();
  if (!problem) return null;
  const fields = problem.fields.filter(
    (f) => f.path !== 'id' && !hideFields.some((re) => re.test(f.path)),
  );
  return (
    <Alert
      type={problem.status === 429 || problem.status === 409 ? 'warning' : 'error'}
      showIcon
      title={
        problem.retryAfterSeconds
          ? t('approval.remindWait', { min: minutesToWait(problem.retryAfterSeconds) })
          : t(HEADLINE[problem.code] ?? 'common.error')
      }
      description={
        <>
          <div>{problem.message}</div>
          {fields.length > 0 && (
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {fields.map((f, i) => (
                <li key={i}>
                  <code>{f.path}</code> {f.message}
                </li>
              ))}
            </ul>
          )}
        </>
      }
      data-testid="action-error"
    />
  );
}
