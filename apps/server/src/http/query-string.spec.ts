import { parseQueryString } from './query-string';

describe('parseQueryString', () => {
  it('keeps names flat: brackets are part of the name, never nested objects', () => {
    expect(parseQueryString('sort[]=x&assignee[a]=b&limit=5')).toEqual({
      'sort[]': 'x',
      'assignee[a]': 'b',
      limit: '5',
    });
  });

  it('decodes values and keeps a repeated name as a list for the 400', () => {
    expect(parseQueryString('filter=%7B%22a%22%3A1%7D&q=a+b&k=1&k=2')).toEqual({
      filter: '{"a":1}',
      q: 'a b',
      k: ['1', '2'],
    });
  });

  it('treats prototype names as plain names', () => {
    const q = parseQueryString('__proto__=x&constructor=y&toString=z');
    expect(q.constructor).toBe('y');
    expect(q.toString).toBe('z');
    expect(Object.getPrototypeOf(q)).toBeNull();
    expect(q.filter).toBeUndefined();
  });
});
