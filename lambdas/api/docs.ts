import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { errorBody } from './errors.js';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

const page = (specUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Verdict API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#ui', persistAuthorization: true });</script>
</body></html>`;

/**
 * The interactive reference at /docs, served from the swagger-ui-dist package itself: no CDN, so it works on
 * an offline laptop and behind strict CSPs.
 */
export function docsRoutes(specUrl: string) {
  const app = new Hono();
  const assetDir = (() => {
    try {
      return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    } catch {
      return null;
    }
  })();
  app.get('/docs', (c) => c.html(page(specUrl)));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type || !assetDir) return c.json(errorBody('not_found', 'no such asset'), 404);
    const body = await readFile(join(assetDir, file));
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
