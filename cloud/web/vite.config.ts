/**
 * The cloud console's build: `npm run build:console` → cloud/web/dist, served by the cloud API at `/`
 * (cloud/web/serve.ts). `npx vite --config cloud/web/vite.config.ts` runs a dev server that proxies
 * /api to a cloud on QS_CLOUD_URL (default http://127.0.0.1:8080).
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: { '/api': { target: process.env['QS_CLOUD_URL'] ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
