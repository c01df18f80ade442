import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The portal is a static bundle: settings come from /config.json at run time, so one build serves
// every environment (local stack, each Azure deployment).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // One chunk of ~250 KB gzipped (React, Fluent, MSAL): under the portal's 350 KB budget.
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod ships comments Rollup cannot place (harmless: they are dropped); keep the build quiet.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/zod/')) return;
        warn(warning);
      },
    },
  },
});
