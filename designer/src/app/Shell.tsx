import { lazy, Suspense, useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { schemaQuery } from '../entities/queries';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { Avatar, Button, Dropdown, Input, Layout, Menu, Spin } from 'antd';
import {
  CheckSquareOutlined,
  DatabaseOutlined,
  HomeOutlined,
  MenuOutlined,
  SearchOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useAuth } from '../auth/AuthContext';

import { useEntities } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { useTaskCounts } from '../inbox/queries';
import { NotificationBell } from '../notifications/NotificationBell';
import { AfterFirstPaint } from './AfterFirstPaint';
import { afterFirstScreen } from './later';
import { useScreens } from './screens';

// not part of the first screen: they load when opened, or once the page is idle
const ChangePasswordModal = lazy(() => import('../auth/ChangePasswordModal'));
const NavDrawer = lazy(afterFirstScreen(() => import('./NavDrawer')));
// the search's dropdown (antd AutoComplete, Select) comes after the page; its box shows at once
const GlobalSearch = lazy(afterFirstScreen(() => import('../search/GlobalSearch')));

/**
 * The frame of every signed-in page: navigation built from the entities the user may read (what
 * they cannot read is not listed), the global search, the notification bell, language and user
 * menu. On a phone the navigation moves into a drawer.
 *
 * On the first screen the frame (sider, brand, header bar) renders with the page, and what is in
 * it (the menu, the search box, language switch, bell and user menu: about a fifth of the first
 * render's work in a trace) right after the page's rows have painted (AfterFirstPaint); the bar
 * and sider keep their size, so nothing moves when they come.
 */
export function Shell() {
  const { t, label } = useI18n();
  const { me, logout } = useAuth();
  const entities = useEntities();
  const counts = useTaskCounts();
  const location = useLocation();
  const navigate = useNavigate();
  const screens = useScreens();
  const narrow = !screens.md;
  const [drawer, setDrawer] = useState(false);
  const [pwOpen, setPwOpen] = useState(false);
  const qc = useQueryClient();
  // a list or record page needs its entity's schema first: ask for it while its chunk loads
  const routeEntity = location.pathname.match(/^\/records\/([^/]+)/)?.[1];
  useEffect(() => {
    if (routeEntity) void qc.prefetchQuery(schemaQuery(routeEntity));
  }, [qc, routeEntity]);

  const selected = /^\/(inbox|approvals)\b/.test(location.pathname)
    ? 'inbox'
    : (location.pathname.match(/^\/records\/([^/]+)/)?.[1] ?? 'home');
  const items = [
    { key: 'home', icon: <HomeOutlined />, label: <Link to="/">{t('nav.home')}</Link> },
    {
      key: 'inbox',
      icon: <CheckSquareOutlined />,
      label: (
        <Link to="/inbox" data-testid="nav-inbox">
          {t('nav.inbox')}
          {counts.pending > 0 && (
            <span className="nav-count" data-testid="nav-inbox-count">
              {counts.pending}
            </span>
          )}
        </Link>
      ),
    },
    ...((entities.data?.data.length ?? 0) === 0
      ? []
      : [
          {
            key: 'records',
            icon: <DatabaseOutlined />,
            label: t('nav.records'),
            children: (entities.data?.data ?? []).map((e) => ({
              key: e.name,
              label: (
                <Link to={`/records/${e.name}`} data-testid={`nav-${e.name}`}>
                  {label(e.label, e.name)}
                </Link>
              ),
            })),
          },
        ]),
  ];
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selected]}
      defaultOpenKeys={['records']}
      items={items}
      onClick={() => setDrawer(false)}
      // the titles' tooltips are for a collapsed menu, which this never is: without them each
      // item renders without a Tooltip (and its trigger) around it, on every page load
      tooltip={false}
      style={{ borderInlineEnd: 0 }}
      data-testid="nav"
    />
  );
  const userMenu = {
    items: [
      { key: 'password', label: t('user.password') },
      { key: 'logout', label: t('user.logout'), danger: true },
    ],
    onClick: ({ key }: { key: string }) => {
      if (key === 'password') setPwOpen(true);
      if (key === 'logout') void logout().then(() => navigate('/'));
    },
  };
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!narrow && (
        <Layout.Sider width={220} theme="light" className="app-sider">
          <div className="brand">
            <Link to="/">{t('app.title')}</Link>
          </div>
          {entities.isLoading ? (
            <Spin style={{ margin: 24 }} />
          ) : (
            <AfterFirstPaint>{menu}</AfterFirstPaint>
          )}
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header className="app-header">
          {narrow && (
            <Button
              type="text"
              icon={<MenuOutlined />}
              onClick={() => setDrawer(true)}
              aria-label="menu"
            />
          )}
          <AfterFirstPaint>
            <Suspense
              fallback={
                <Input
                  className="global-search"
                  prefix={<SearchOutlined />}
                  placeholder={t('search.placeholder')}
                  readOnly
                />
              }
            >
              <GlobalSearch />
            </Suspense>
          </AfterFirstPaint>
          <div className="header-right">
            <AfterFirstPaint>
              <LanguageSwitch testId="lang-switch" />
              <NotificationBell />
              <Dropdown menu={userMenu} trigger={['click']}>
                <Button type="text" data-testid="user-menu" className="user-button">
                  <Avatar size="small" icon={<UserOutlined />} />
                  {!narrow && <span>{me?.user.displayName || me?.user.login}</span>}
                </Button>
              </Dropdown>
            </AfterFirstPaint>
          </div>
        </Layout.Header>
        <Layout.Content className="app-content">
          <Outlet />
        </Layout.Content>
      </Layout>
      {narrow && (
        <Suspense>
          <NavDrawer open={drawer} onClose={() => setDrawer(false)} title={t('app.title')}>
            {menu}
          </NavDrawer>
        </Suspense>
      )}
      {pwOpen && (
        <Suspense>
          <ChangePasswordModal open={pwOpen} onClose={() => setPwOpen(false)} />
        </Suspense>
      )}
    </Layout>
  );
}
