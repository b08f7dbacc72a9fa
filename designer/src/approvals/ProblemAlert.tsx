import { Alert } from 'antd';
import { useI18n } from '../i18n/i18n';
import { type Problem, minutesToWait } from './problems';

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
          : problem.message
      }
      description={
        problem.retryAfterSeconds ? (
          problem.message
        ) : fields.length ? (
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>
            {fields.map((f, i) => (
              <li key={i}>
                <code>{f.path}</code> {f.message}
              </li>
            ))}
          </ul>
        ) : undefined
      }
      data-testid="action-error"
    />
  );
}
