import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Spin } from 'antd';
import { useAuth } from '../auth/AuthContext';
import { Shell } from './Shell';

// Pages load on first visit: the shell and the lists come first, forms (rjsf) and the task panel
// (with its lazily loaded diagram) when opened.
const LoginPage = lazy(() => import('../auth/LoginPage'));
const HomePage = lazy(() => import('./HomePage'));
const ListPage = lazy(() => import('../record-list/ListPage'));
const RecordPage = lazy(() => import('../record-show/RecordPage'));
const InboxPage = lazy(() => import('../inbox/InboxPage'));
const TaskPage = lazy(() => import('../inbox/TaskPage'));
const InstancePage = lazy(() => import('../approvals/InstancePage'));
const NotFound = lazy(() => import('./NotFound'));

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
