// The minimal hand-written page the Workspace is measured against: React + antd, one fetch of the
// same API, one antd component rendering it. No router, no i18n, no permissions, no metadata.
import { createElement as h, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { List, Table } from 'antd';

const token = JSON.parse(localStorage.getItem('crm.session')).accessToken;
const get = (p) =>
  fetch(p, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());

function Inbox() {
  const [tasks, setTasks] = useState(null);
  useEffect(() => {
    get('/api/tasks?state=created&mine=true').then((r) => setTasks(r.data));
  }, []);
  if (!tasks) return null;
  return h(List, {
    dataSource: tasks,
    renderItem: (t) => h(List.Item, { className: 'task-item' }, t.name),
  });
}

function Items() {
  const [page, setPage] = useState(null);
  useEffect(() => {
    get('/api/records/item?limit=50&count=true').then(setPage);
  }, []);
  if (!page) return null;
  return h(Table, {
    rowKey: 'id',
    pagination: false,
    dataSource: page.data,
    columns: ['title', 'status', 'dueOn'].map((k) => ({ key: k, dataIndex: k, title: k })),
  });
}

const which = new URLSearchParams(location.search).get('page');
createRoot(document.getElementById('root')).render(h(which === 'inbox' ? Inbox : Items));
