import { defineConfig } from 'vite';

// Built by tests/bench/web/run.ts into designer/dist/bench-baseline (removed after the run).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: { outDir: process.env.BASELINE_OUT, emptyOutDir: true },
});
