/**
 * Vite configuration of the web app. The bundle is served by the gateway at `/` under a strict
 * Content-Security-Policy (no inline script or style), so nothing may be inlined into index.html.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The workspace's libraries, whose modules do nothing when imported (no top-level effects). */
const effectFreeSources = ['core', 'client', 'api', 'ledger'].map((name) =>
  join(repoRoot, 'packages', name, 'src'),
);

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
    rolldownOptions: {
      treeshake: {
        // A screen's chunk takes only the library code it uses (the first load stays small; see
        // scripts/firstLoadSize.ts): without this, importing one function from the core's or the
        // client's index would keep every module behind it. Dependencies keep their package.json's word.
        moduleSideEffects: (id: string, external: boolean) =>
          !external && effectFreeSources.some((source) => id.startsWith(source)) ? false : undefined,
      },
    },
  },
  define: {
    // viem and friends probe process.env in a few places; give them an empty, constant object.
    'process.env': '{}',
  },
});
