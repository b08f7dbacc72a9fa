import { Card, Col, Row, Statistic } from 'antd';
import { Link } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { useEntities } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { useTaskCounts } from '../inbox/queries';

export default function HomePage() {
  const { t, label } = useI18n();
  const { me } = useAuth();
  const entities = useEntities();
  const counts = useTaskCounts();
  return (
    <div>
      <h2>{t('home.welcome', { name: me?.user.displayName || me?.user.login || '' })}</h2>
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} md={8}>
          <Link to="/inbox">
            <Card>
              <Statistic title={t('home.pendingTasks')} value={counts.pending} />
            </Card>
          </Link>
        </Col>
      </Row>
      <h3 style={{ marginTop: 24 }}>{t('home.entities')}</h3>
      <Row gutter={[12, 12]}>
        {(entities.data?.data ?? []).map((e) => (
          <Col key={e.name} xs={12} sm={8} md={6} lg={4}>
            <Link to={`/records/${e.name}`}>
              <Card size="small" hoverable>
                {label(e.label, e.name)}
              </Card>
            </Link>
          </Col>
        ))}
      </Row>
    </div>
  );
}
