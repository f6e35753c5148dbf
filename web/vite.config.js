import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/*
 * Two pages: the staff console (index.html, served at /) and the resident H5
 * (h5.html, which the server returns for /h5/...). Assets use absolute paths
 * (base '/'), so both pages work from any URL the server maps to them.
 */
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        index: here('./index.html'),
        h5: here('./h5.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': process.env.LINLI_API || 'http://127.0.0.1:8090',
    },
  },
});
