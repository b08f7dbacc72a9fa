import { Tag } from 'antd';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

const COLOR: Record<string, string> = {
  approved: 'green',
  rejected: 'red',
  withdrawn: 'default',
  cancelled: 'default',
};

/** An approval's state: in progress, or how it ended (approved, rejected, withdrawn, cancelled). */
export function OutcomeTag({ state, outcome }: { state: string; outcome: string | null }) {
  const { t } = useI18n();
  if (state === 'active')
    return (
      <Tag color="orange" data-testid="outcome-running">
        {t('approval.running')}
      </Tag>
    );
  const key =
    outcome && outcome in COLOR ? outcome : state === 'completed' ? 'completed' : 'cancelled';
  return (
    <Tag color={COLOR[key] ?? 'blue'} data-testid={`outcome-${key}`}>
      {t(`approval.outcome.${key}` as MessageKey)}
    </Tag>
  );
}
