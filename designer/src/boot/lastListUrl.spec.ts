import { lastListUrl, rememberListUrl } from './lastListUrl';

// the unit tests run in node: a Map stands in for the browser's localStorage
const store = new Map<string, string>();
Object.assign(globalThis, {
  localStorage: {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  },
});

describe("a list's last first-page URL", () => {
  beforeEach(() => store.clear());

  it('is remembered per entity', () => {
    rememberListUrl('item', '/api/records/item?limit=50&count=true');
    rememberListUrl('customer', '/api/records/customer?limit=20&count=true');
    expect(lastListUrl('item')).toBe('/api/records/item?limit=50&count=true');
    expect(lastListUrl('customer')).toBe('/api/records/customer?limit=20&count=true');
    expect(lastListUrl('order')).toBeUndefined();
  });

  it('keeps the 20 most recent entities', () => {
    for (let i = 0; i < 25; i++) rememberListUrl(`e${i}`, `/api/records/e${i}?limit=50`);
    rememberListUrl('e5', '/api/records/e5?limit=50'); // unchanged: not moved
    expect(lastListUrl('e4')).toBeUndefined();
    expect(lastListUrl('e5')).toBe('/api/records/e5?limit=50');
    expect(lastListUrl('e24')).toBe('/api/records/e24?limit=50');
  });

  it('asks for nothing when what is stored is not a records URL or not JSON', () => {
    store.set('crm.listUrls', JSON.stringify({ item: 'https://elsewhere.example/x' }));
    expect(lastListUrl('item')).toBeUndefined();
    store.set('crm.listUrls', '{not json');
    expect(lastListUrl('item')).toBeUndefined();
    rememberListUrl('item', '/api/records/item?limit=50');
    expect(lastListUrl('item')).toBe('/api/records/item?limit=50');
  });
});
