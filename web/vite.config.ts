import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Dev: Vite serves the app and proxies /api to the Préau server (npm start, port 3000).
// Build: web/dist, served by the server with the SPA fallback.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.PREAU_API ?? 'http://localhost:3000', changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Fonts and icons are bundled as files: the CSP allows data: but files cache better.
    assetsInlineLimit: 0,
    // Vite's default 500 kB chunk warning applies: routes are split (src/app/router.tsx), a bigger chunk is a regression.
  },
});
