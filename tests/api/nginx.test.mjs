/*
 * deploy/nginx.conf in front of two `linli serve` processes on one database
 * (issue 13): Debian's nginx runs the file itself, with only its addresses
 * and paths replaced, as a user's process on loopback with a temporary
 * prefix. Requests reach both servers; the client's address reaches linli
 * through X-Forwarded-For and trusted_proxies; the web files come from
 * nginx, the precompressed .br/.gz as built. Skipped, saying so, only where
 * nginx is not installed (scripts/deps.sh installs it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, dbSql, serveAgain, startServer } from '../lib/server.mjs';

const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((p) => existsSync(p));
const BROTLI_SO = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';
const BROTLI = existsSync(BROTLI_SO);
const skip = NGINX ? false : 'nginx is not installed (scripts/deps.sh installs it): deploy/nginx.conf not tried';

let a, b, dir, proxy, url, nginxLog = '';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/* deploy/nginx.conf with this test's addresses, paths and a prefix of its own. */
function testConfig(port, web, prefix) {
  let conf = readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const portOf = (srv) => new URL(srv.url).port;
  const swap = (from, to) => {
    assert.ok(conf.includes(from), `deploy/nginx.conf has "${from}"`);
    conf = conf.replaceAll(from, to);
  };
  swap('pid /run/nginx-linli.pid;', `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log warn;` +
    (process.getuid?.() === 0 ? '\nuser root;' : ''));
  /* Debian's module files name modules relative to the prefix, which is ours here */
  swap('include /etc/nginx/modules-enabled/*.conf;', BROTLI ? `load_module ${BROTLI_SO};` : '');
  swap('server 127.0.0.1:8081', `server 127.0.0.1:${portOf(a)}`);
  swap('server 127.0.0.1:8082', `server 127.0.0.1:${portOf(b)}`);
  swap('        listen 80;\n        listen [::]:80;\n', `        listen 127.0.0.1:${port};\n`);
  swap('root /srv/linli/web;', `root ${web};`);
  swap('    sendfile on;\n', `    sendfile on;\n    access_log ${prefix}/access.log;\n` +
    ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${prefix}/${t};\n`).join(''));
  swap('events { worker_connections 4096; }', 'events { worker_connections 256; }');
  if (!BROTLI) conf = conf.replace(/^\s*brotli_static on;.*$/gm, '');
  return conf;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'linli-nginx-'));
  chmodSync(dir, 0o755);
  const conf = path.join(dir, 'linli.conf');
  writeFileSync(conf, 'trusted_proxies = 127.0.0.1, ::1\n');
  a = await startServer({ demo: true, residents: 100, extraArgs: ['--config', conf] });
  b = await serveAgain(a, { extraArgs: ['--config', conf] });

  /* a small build: the pages, and one asset whose .br and .gz say which file was sent */
  const web = path.join(dir, 'web');
  mkdirSync(path.join(web, 'assets'), { recursive: true });
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(web, 'h5.html'), '<!doctype html><title>h5</title>');
  writeFileSync(path.join(web, 'assets', 'app-1a2b3c.js'), 'console.log("plain");');
  writeFileSync(path.join(web, 'assets', 'app-1a2b3c.js.br'), zlib.brotliCompressSync('console.log("from .br");'));
  writeFileSync(path.join(web, 'assets', 'app-1a2b3c.js.gz'), zlib.gzipSync('console.log("from .gz");'));

  const prefix = path.join(dir, 'nginx');
  mkdirSync(prefix);
  const port = await freePort();
  writeFileSync(path.join(prefix, 'nginx.conf'), testConfig(port, web, prefix));
  proxy = spawn(NGINX, ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  proxy.stderr.on('data', (d) => { nginxLog += d; });
  url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch { /* not up yet */ }
    const log = existsSync(path.join(prefix, 'error.log')) ? readFileSync(path.join(prefix, 'error.log'), 'utf8') : '';
    if (proxy.exitCode !== null || Date.now() > deadline)
      throw new Error(`nginx did not start: ${nginxLog}\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  if (proxy && proxy.exitCode === null) {
    const gone = new Promise((r) => proxy.on('exit', r));
    proxy.kill('SIGQUIT');
    await gone;
  }
  await b?.stop();
  await a?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the API reaches both linli servers through nginx', { skip }, async () => {
  const servers = new Set();
  for (let i = 0; i < 12; i++) {
    const r = await fetch(`${url}/api/v1/health`);
    assert.equal(r.status, 200);
    servers.add(r.headers.get('x-request-id').slice(0, 8)); /* the server's own prefix */
  }
  assert.equal(servers.size, 2, 'both upstreams answered');
  /* a session made through nginx holds whichever server answers */
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'staff', password: 'linli2026' }) });
  assert.equal(login.status, 200);
  const { token } = await login.json();
  for (let i = 0; i < 4; i++)
    assert.equal((await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
});

test('linli sees the client\'s address that nginx forwards (trusted_proxies)', { skip }, async () => {
  const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.7' },
    body: JSON.stringify({ username: 'staff', password: 'not-the-password' }) });
  assert.equal(r.status, 401);
  const ips = dbSql(a.db, "SELECT ip FROM audit WHERE action = 'auth.login_failed' ORDER BY id DESC LIMIT 1").trim();
  assert.equal(ips, '203.0.113.7', 'the address nginx was told, not nginx\'s own');
});

test('a page\'s own POST passes the CSRF check through nginx; another site\'s is refused', { skip }, async () => {
  const post = (origin) => fetch(`${url}/api/v1/auth/login`, { method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify({ username: 'secretary', password: 'linli2026' }) });
  /* the page's origin has nginx's port: X-Forwarded-Host must carry it */
  let r = await post(url);
  assert.equal(r.status, 200, JSON.stringify(await r.json()));
  r = await post('https://elsewhere.example');
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, 'cross_site_request');
});

test('nginx serves the pages and the precompressed assets itself', { skip }, async () => {
  let r = await fetch(`${url}/assets/app-1a2b3c.js`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-encoding'), 'gzip');
  assert.equal(await r.text(), 'console.log("from .gz");', 'the built .gz, not compressed on the fly');
  assert.match(r.headers.get('cache-control'), /immutable/);
  if (BROTLI) {
    r = await fetch(`${url}/assets/app-1a2b3c.js`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(r.headers.get('content-encoding'), 'br');
    assert.equal(await r.text(), 'console.log("from .br");');
  }
  r = await fetch(`${url}/assets/app-1a2b3c.js`, { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(await r.text(), 'console.log("plain");');
  assert.equal((await fetch(`${url}/assets/missing.js`)).status, 404);
  r = await fetch(`${url}/h5/elder/report`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /<title>h5<\/title>/);
  r = await fetch(`${url}/cases/12`);
  assert.match(await r.text(), /<title>console<\/title>/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
});
