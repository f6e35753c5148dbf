// The built pages are sent precompressed: FILE.br or FILE.gz (which the web
// build writes beside each text file) with its Content-Encoding when the
// client accepts it, brotli first; the plain file otherwise; "Vary:
// Accept-Encoding" on text. A web directory of known files, made here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer } from '../lib/server.mjs';

let srv, web;
const JS = 'export const greeting = "邻里";\n'.repeat(200);
const BR = zlib.brotliCompressSync(JS);
const GZ = zlib.gzipSync(JS);

before(async () => {
  web = mkdtempSync(path.join(tmpdir(), 'linli-web-'));
  mkdirSync(path.join(web, 'assets'));
  writeFileSync(path.join(web, 'assets', 'app-1.js'), JS);
  writeFileSync(path.join(web, 'assets', 'app-1.js.br'), BR);
  writeFileSync(path.join(web, 'assets', 'app-1.js.gz'), GZ);
  writeFileSync(path.join(web, 'assets', 'only-gz.css'), 'body{color:red}\n'.repeat(100));
  writeFileSync(path.join(web, 'assets', 'only-gz.css.gz'), zlib.gzipSync('body{color:red}\n'.repeat(100)));
  writeFileSync(path.join(web, 'assets', 'plain.js'), 'export default 1;\n');
  writeFileSync(path.join(web, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(path.join(web, 'assets', 'logo.png.gz'), zlib.gzipSync(Buffer.from([0x89, 0x50, 0x4e, 0x47])));
  writeFileSync(path.join(web, 'h5.html'), '<!doctype html><title>h5</title>');
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>console</title>');
  srv = await startServer({ extraArgs: ['--web', web] });
});
after(async () => {
  await srv.stop();
  rmSync(web, { recursive: true, force: true });
});

/* GET @p with this Accept-Encoding (none when undefined); the body as sent, not decoded. */
function get(p, acceptEncoding) {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding };
    http.get(srv.url + p, { headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

test('brotli when accepted, else gzip, else the file; each with its Content-Encoding and Length', async () => {
  for (const [accept, coding, body] of [
    ['gzip, deflate, br', 'br', BR],
    ['br', 'br', BR],
    ['gzip', 'gzip', GZ],
    ['br;q=0, gzip', 'gzip', GZ],
    ['*', 'br', BR],
    ['identity', undefined, Buffer.from(JS)],
    ['br;q=0, gzip;q=0', undefined, Buffer.from(JS)],
    [undefined, undefined, Buffer.from(JS)],
  ]) {
    const r = await get('/assets/app-1.js', accept);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], coding, `Accept-Encoding: ${accept}`);
    assert.ok(r.body.equals(body), `the ${coding || 'plain'} file for ${accept}`);
    assert.equal(Number(r.headers['content-length']), body.length);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(r.headers.vary, 'Accept-Encoding');
    assert.match(r.headers['cache-control'], /immutable/);
  }
  assert.equal(zlib.brotliDecompressSync(BR).toString(), JS);
});

test('a file with only a .gz, or none, is sent as there is', async () => {
  let r = await get('/assets/only-gz.css', 'gzip, deflate, br');
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(r.body).toString(), 'body{color:red}\n'.repeat(100));
  r = await get('/assets/plain.js', 'gzip, deflate, br');
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body.toString(), 'export default 1;\n');
  assert.equal(r.headers.vary, 'Accept-Encoding');
});

test('images are never swapped for a compressed copy and vary on nothing', async () => {
  const r = await get('/assets/logo.png', 'gzip, br');
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.headers['content-type'], 'image/png');
  assert.equal(r.headers.vary, undefined);
  assert.equal(r.body.length, 4);
});

test('the pages and missing files are unchanged', async () => {
  let r = await get('/h5/', 'gzip, br');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), '<!doctype html><title>h5</title>');
  r = await get('/assets/missing.js', 'gzip, br');
  assert.equal(r.status, 404);
  r = await get('/assets/app-1.js.br', 'gzip, br');
  assert.equal(r.status, 200, 'the compressed file itself is a file too');
  assert.equal(r.headers['content-encoding'], undefined);
});
