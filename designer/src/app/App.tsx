import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Spin } from 'antd';
import { useAuth } from '../auth/AuthContext';
import type { PageId } from '../boot/pages';
import { lazyPage } from './lazyPage';
import { Shell } from './Shell';

// Pages load on first visit: the shell and the lists come first, forms (rjsf) and the task panel
// (with its lazily loaded diagram) when opened. boot/pages.ts names the same modules.
const LoginPage = lazyPage(() => import('../auth/LoginPage'));
const HomePage = lazyPage(() => import('./HomePage'));
const ListPage = lazyPage(() => import('../record-list/ListPage'));
const RecordPage = lazyPage(() => import('../record-show/RecordPage'));
const InboxPage = lazyPage(() => import('../inbox/InboxPage'));
const TaskPage = lazyPage(() => import('../inbox/TaskPage'));
const InstancePage = lazyPage(() => import('../approvals/InstancePage'));
const NotFound = lazy(() => import('./NotFound'));

const PAGE_COMPONENTS: Record<PageId, { preload(): Promise<unknown> }> = {
  login: LoginPage,
  home: HomePage,
  list: ListPage,
  record: RecordPage,
  inbox: InboxPage,
  task: TaskPage,
  instance: InstancePage,
};

/** Loads a page's module ahead of the first render, so that render is the page's (lazyPage). */
export const preloadPage = (page: PageId): Promise<unknown> => PAGE_COMPONENTS[page].preload();

const loading = <Spin style={{ display: 'block', margin: '80px auto' }} />;

export function App() {
  const { signedIn } = useAuth();
  if (!signedIn)
    return (
      <Suspense fallback={loading}>
        <LoginPage />
      </Suspense>
    );
  return (
    <BrowserRouter>
      <Suspense fallback={loading}>
        <Routes>
          <Route element={<Shell />}>
            <Route index element={<HomePage />} />
            <Route path="records/:entity" element={<ListPage />} />
            <Route path="records/:entity/new" element={<RecordPage />} />
            <Route path="records/:entity/:id" element={<RecordPage />} />
            <Route path="inbox" element={<InboxPage />} />
            <Route path="inbox/:taskId" element={<TaskPage />} />
            <Route path="approvals/:instanceId" element={<InstancePage />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
