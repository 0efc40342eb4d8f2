import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The desktop app's three bundles, in out/: the main process (with the broker processes' entry;
// core/ is bundled in, dependencies with native addons stay external and load from node_modules),
// the sandboxed preload (CommonJS, as sandboxed preloads must be), and the renderer (the same Vue
// app `npm run build:renderer` builds for the web host).
// core/ modules that load addons lazily declare `const require = createRequire(import.meta.url)`;
// in an ES bundle that clashes with the `require` shim electron-vite adds, so such a module's own
// binding is renamed.
const localRequire = {
  name: 'samsa:rename-local-require',
  transform(code: string) {
    if (!/\bconst require = createRequire\(/.test(code)) return null;
    return { code: code.replace(/\brequire\b(?=\s*[=(])/g, '__samsaLocalRequire'), map: null };
  },
};

export default defineConfig({
  main: {
    plugins: [localRequire],
    build: {
      outDir: here('out/main'),
      rolldownOptions: {
        input: { index: here('electron/main/index.ts'), 'broker-process': here('electron/main/broker-process.ts') },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: here('out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: here('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: here('renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: here('out/renderer'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 2000,
      rolldownOptions: { input: { index: here('renderer/index.html') } },
    },
  },
});
