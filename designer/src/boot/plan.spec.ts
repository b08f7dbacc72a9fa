import { firstRequests, requestKey, tableListOf } from './plan';
import { entityOf, pageOf } from './pages';

describe('the first screen known from the address', () => {
  it.each([
    ['/', 'home'],
    ['/records/customer', 'list'],
    ['/records/customer/', 'list'],
    ['/records/customer/12', 'record'],
    ['/records/customer/new', 'record'],
    ['/inbox', 'inbox'],
    ['/inbox/42', 'task'],
    ['/approvals/7', 'instance'],
    ['/nowhere/at/all', undefined],
  ])('%s opens the %s page', (path, page) => {
    expect(pageOf(path)).toBe(page);
  });

  it('reads the entity of a list or record path', () => {
    expect(entityOf('/records/sales_order/3')).toBe('sales_order');
    expect(entityOf('/inbox')).toBeUndefined();
  });

  it('asks a list for its schema and saved views besides what every page needs', () => {
    expect(firstRequests('/records/item', '')).toEqual({
      me: '/api/auth/me',
      entities: '/api/meta/entities',
      counts: '/api/inbox?box=pending&limit=1',
      notifications: '/api/notifications',
      schema: '/api/meta/entities/item/schema',
      views: '/api/views/item',
    });
    expect(firstRequests('/records/item/5', '').views).toBeUndefined();
    expect(firstRequests('/records/item/5', '').schema).toBe('/api/meta/entities/item/schema');
  });

  it("asks the inbox for the first page of the box in the address, else the pending one's", () => {
    expect(firstRequests('/inbox', '').inbox).toBe('/api/inbox?box=pending&limit=20');
    expect(firstRequests('/inbox', '?box=cc').inbox).toBe('/api/inbox?box=cc&limit=20');
    expect(firstRequests('/inbox', '?box=bogus').inbox).toBe('/api/inbox?box=pending&limit=20');
    expect(firstRequests('/', '').inbox).toBeUndefined();
  });

  it('asks for a list page only when the list opens as a table', () => {
    expect(tableListOf('/records/item', '')).toBe('item');
    expect(tableListOf('/records/item', '?mode=table')).toBe('item');
    expect(tableListOf('/records/item', '?mode=kanban')).toBeUndefined();
    expect(tableListOf('/records/item', '?mode=calendar')).toBeUndefined();
    expect(tableListOf('/records/item/3', '')).toBeUndefined();
  });

  it('names a request whatever the order of its parameters', () => {
    const base = 'http://localhost:3000/inbox';
    expect(requestKey('/api/inbox?limit=1&box=pending', base)).toBe(
      requestKey('http://localhost:3000/api/inbox?box=pending&limit=1', base),
    );
    expect(requestKey('/api/inbox?box=pending&limit=2', base)).not.toBe(
      requestKey('/api/inbox?box=pending&limit=1', base),
    );
  });
});
