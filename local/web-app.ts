import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

// `env` carries the Node connection (getConnInfo: the failed-auth throttle's client address): pass it on.
type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** Paths the API app answers; everything else a browser GETs is the web app. */
const API_PATHS = /^\/(api\/|docs(\/|$)|health$|v1\/)/;

/**
 * The web app next to the API on one origin, as CloudFront does in AWS: hashed assets with a long cache, and
 * index.html for every other page so deep links (/projects/…/runs/…) load the app, which then routes itself.
 */
export function withWebApp(api: Fetch, distDir: string): Fetch {
  const web = new Hono();
  const root = relative(process.cwd(), distDir) || '.';
  const index = join(distDir, 'index.html');
  web.use(
    '/assets/*',
    serveStatic({
      root,
      onFound: (_path, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable'),
    }),
  );
  web.get('/assets/*', (c) => c.text('not found', 404));
  web.get('*', (c) => {
    if (!existsSync(index)) {
      return c.html(
        '<!doctype html><title>Verdict</title><p>The web app is not built yet: run <code>npm start</code> ' +
          '(it builds web/ first) or <code>npx vite build web</code>.</p>',
        503,
      );
    }
    // Read on each request: cheap, and a rebuild while the server runs is picked up.
    c.header('Cache-Control', 'no-cache');
    return c.html(readFileSync(index, 'utf8'));
  });
  return (request, env) => {
    const { pathname } = new URL(request.url);
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !API_PATHS.test(pathname);
    return isPage ? web.fetch(request) : api(request, env);
  };
}
