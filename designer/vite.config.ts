import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server (NestJS) serves the built files at / and the API under /api; `vite` (dev server)
// proxies /api to a server started with `npm start` on port 3000. Heavy parts (forms, the BPMN
// diagram) are lazy routes/components, so they land in their own chunks.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': 'http://localhost:3000' } },
  // the manifest lets tests/bench/web tell which chunks each route loads
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500, manifest: true },
});
