/**
 * Vite configuration of the web app. The bundle is served by the gateway at `/` under a strict
 * Content-Security-Policy (no inline script or style), so nothing may be inlined into index.html.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Inline assets would need `data:` in the CSP; keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2048,
    reportCompressedSize: false,
  },
  define: {
    // viem and friends probe process.env in a few places; give them an empty, constant object.
    'process.env': '{}',
  },
});
