/// <reference types="vitest/config" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Two apps from one codebase: the citizen app at / and the staff app at /staff/.
// Their service workers are built afterwards by scripts/postbuild.mjs (each precaches only its own shell).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true, // dist/.vite/manifest.json: which assets belong to which app, read by postbuild
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false }, // every browser that runs these apps supports modulepreload
    rolldownOptions: {
      input: {
        citizen: resolve(import.meta.dirname, 'index.html'),
        staff: resolve(import.meta.dirname, 'staff/index.html'),
      },
      output: {
        // One chunk for what both apps share (Preact, signals, Dexie, src/shared): cached once for both.
        codeSplitting: { groups: [{ name: 'shared', test: /node_modules|src[\\/]shared/ }] },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8123' },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
