import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/*
 * Two pages: the staff console (index.html, served at /) and the resident H5
 * (h5.html, which the server returns for /h5/...). Assets use absolute paths
 * (base '/'), so both pages work from any URL the server maps to them.
 */
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/*
 * Precompression: beside every text file of the build of 1 KB or more,
 * FILE.br (brotli, quality 11) and FILE.gz (gzip -9), each only when smaller.
 * The server's static handler (src/http/static.c) answers FILE with one of
 * them when the browser accepts it; nothing is compressed per request.
 */
const COMPRESS = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/;
function precompress() {
  let outDir;
  return {
    name: 'linli-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      const walk = (dir) => readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
      for (const f of walk(outDir)) {
        if (!COMPRESS.test(f)) continue;
        const raw = readFileSync(f);
        if (raw.length < 1024) continue;
        const br = brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } });
        const gz = gzipSync(raw, { level: 9 });
        if (br.length < raw.length) writeFileSync(f + '.br', br);
        if (gz.length < raw.length) writeFileSync(f + '.gz', gz);
      }
    },
  };
}

/*
 * Vant's icon font comes inside its CSS as 25 KB of base64 that no
 * compression shrinks, ahead of every first paint. It is moved into a file of
 * its own (assets/vant-icon-HASH.woff2), which the browser fetches only when
 * an icon is drawn and, the text being there already, after the first paint.
 */
function iconFontFile() {
  const DATA = /url\(["']?data:font\/woff2;[^,]*base64,([A-Za-z0-9+/=]+)["']?\)/;
  return {
    name: 'linli-icon-font-file',
    enforce: 'pre',
    apply: 'build',
    transform(code, id) {
      if (!/vant\/es\/icon\/index\.css$/.test(id)) return null;
      const m = code.match(DATA);
      if (!m) return null;
      const font = Buffer.from(m[1], 'base64');
      const hash = createHash('sha256').update(font).digest('hex').slice(0, 10);
      const fileName = `assets/vant-icon-${hash}.woff2`;
      this.emitFile({ type: 'asset', fileName, source: font });
      return { code: code.replace(DATA, `url(/${fileName}) format("woff2")`).replace(/format\("woff2"\)\s*format\("woff2"\)/, 'format("woff2")'), map: null };
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [vue(), iconFontFile(), precompress()],
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
