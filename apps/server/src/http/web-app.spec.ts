import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { webApp } from './web-app';

/** The built web app at /, every other non-API GET falling back to index.html (client routes). */
describe('webApp', () => {
  let dir: string;
  let server: ReturnType<express.Express['listen']>;
  let url: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-web-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const app = express();
    app.use(webApp(dir));
    app.use((_req, res) => {
      res.status(404).json({ code: 'ROUTE_NOT_FOUND' });
    });
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/inbox', '/records/customer/12', '/records/quote/new?customer=3'])(
    'answers %s with the app',
    async (p) => {
      const res = await fetch(url + p);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root">');
    },
  );

  it('serves hashed assets with a long cache', async () => {
    const res = await fetch(`${url}/assets/index-abc.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it.each([
    ['GET', '/api/records/customer'],
    ['GET', '/api'],
    ['GET', '/assets/missing.js'],
    ['GET', '/favicon.ico'],
    ['POST', '/records/customer'],
  ])('leaves %s %s to the API (its 404)', async (method, p) => {
    const res = await fetch(url + p, { method });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'ROUTE_NOT_FOUND' });
  });

  it('serves nothing without a build', async () => {
    const app = express();
    app.use(webApp(path.join(dir, 'nope')));
    app.use((_req, res) => {
      res.status(404).end();
    });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
    expect(res.status).toBe(404);
    s.close();
  });
});
