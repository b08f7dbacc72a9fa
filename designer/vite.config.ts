import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { firstScreen } from './build/first-screen';

// The server (NestJS) serves the built files at / and the API under /api; `vite` (dev server)
// proxies /api to a server started with `npm start` on port 3000. Heavy parts (forms, the BPMN
// diagram) are lazy routes/components, so they land in their own chunks; the first screen's
// chunk and data are asked for from index.html before the app loads (build/first-screen.ts).
export default defineConfig({
  plugins: [react(), firstScreen()],
  server: { proxy: { '/api': 'http://localhost:3000' } },
  // the manifest lets tests/bench/web tell which chunks each route loads
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500, manifest: true },
});
