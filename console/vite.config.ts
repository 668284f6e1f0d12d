import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console's build: pages under /app/ (the API owns every other path on the same origin), assets under
 * /app/assets/. `npm run dev:console` serves it with hot reload and sends every other path to the local
 * runtime's API (TRADEFLOW_API_PORT, 3000 unless set).
 */
const api = `http://127.0.0.1:${process.env.TRADEFLOW_API_PORT ?? 3000}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  // amazon-cognito-identity-js (cloud sign-in) expects Node's `global`
  define: { global: 'globalThis' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.TRADEFLOW_CONSOLE_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: { '^/(?!app(/|$)).*': { target: api, changeOrigin: false } },
  },
});
