import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The web app: built into web/dist, which the local server (local/web-app.ts) and CloudFront serve at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The entry chunk is measured by bench/web.ts (target ≤ 250 KB gzipped); pages load on demand.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite web` during development: the API of a running `npm start`.
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
});
