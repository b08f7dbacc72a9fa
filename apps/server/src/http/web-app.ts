import * as fs from 'node:fs';
import * as path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Where `npm start` (scripts/build-web.js) leaves the built web app: designer/dist. */
export function webAppDir(): string {
  // dist/apps/server/src/http → repo root, and apps/server/src/http (tests run the sources) too
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'designer', 'dist');
    if (fs.existsSync(path.join(dir, 'designer'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('designer', 'dist');
}

/**
 * Serves the web app at `/`: its hashed assets with a long cache, and index.html for every other
 * GET outside /api (client-side routes such as /records/customer/12 reload into the app). Without
 * a build (designer/dist/index.html missing) nothing is served and Nest answers its 404.
 */
export function webApp(dir: string = webAppDir()) {
  const assets = express.static(dir, {
    index: false,
    setHeaders(res, file) {
      if (file.includes(`${path.sep}assets${path.sep}`))
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    },
  });
  const index = path.join(dir, 'index.html');
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || /^\/api(\/|$)/.test(req.path)) {
      next();
      return;
    }
    assets(req, res, () => {
      if (!fs.existsSync(index) || path.extname(req.path) !== '') {
        next();
        return;
      }
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
    });
  };
}
