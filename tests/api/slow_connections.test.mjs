// Slow and greedy clients must not starve everyone (issue 11, security 3):
// connections from one address beyond max_connections_per_ip are closed at
// once, and a new connection whose request head has not arrived within
// header_timeout_seconds is ended however it trickles. The attack comes from
// 40 loopback addresses (127.0.0.2 ...), the honest requests from 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

const ADDRESSES = 40;
const PER_IP = 50;
const TRIES_PER_IP = 120; /* 4,800 tries in all: more than the server's 4,000 connections */

let hold, strict, dir;

function config(name, text) {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'linli-slow-'));
  /* a deadline far off: the slow connections stay while honest requests are made */
  hold = await startServer({ residents: 10, extraArgs: ['--config', config('hold.conf', `max_connections_per_ip = ${PER_IP}\nheader_timeout_seconds = 600\n`)] });
  strict = await startServer({ residents: 10, extraArgs: ['--config', config('strict.conf', 'header_timeout_seconds = 2\n')] });
});

after(async () => {
  await hold?.stop();
  await strict?.stop();
});

/*
 * A connection from @localAddress that sends a request head one line at a
 * time, a line every 300 ms, never finishing it. Resolves once connected, to
 * { socket, closed: Promise (resolves when the server ends it), isClosed() }.
 */
function trickle(url, localAddress) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), localAddress });
    let closed = false;
    let timer = null;
    const done = new Promise((r) => socket.on('close', () => { closed = true; clearInterval(timer); r(); }));
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write('GET /api/v1/health HTTP/1.1\r\nHost: linli\r\n');
      let n = 0;
      timer = setInterval(() => { if (!closed) socket.write(`X-Slow-${n++}: 1\r\n`); }, 300);
      resolve({ socket, closed: done, isClosed: () => closed });
    });
    /* refused before connecting (the kernel's backlog): counts as closed */
    socket.on('close', () => resolve({ socket, closed: done, isClosed: () => true }));
  });
}

async function health(url) {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), 20000);
  try {
    const r = await fetch(url + '/api/v1/health', { signal: ctl.signal });
    return r.status;
  } catch (e) {
    return `no answer (${e.name})`;
  } finally {
    clearTimeout(t);
  }
}

const waitClosed = (conns, ms) => Promise.race([
  Promise.all(conns.map((c) => c.closed)).then(() => true),
  new Promise((r) => setTimeout(() => r(false), ms)),
]);

test('thousands of slow connections: each address keeps at most its limit, and /health keeps answering', async () => {
  const conns = [];
  for (let a = 0; a < ADDRESSES; a++) {
    const local = `127.0.0.${a + 2}`;
    const batch = [];
    for (let i = 0; i < TRIES_PER_IP; i++) batch.push(trickle(hold.url, local));
    conns.push(...(await Promise.all(batch)).map((c) => ({ ...c, local })));
  }
  /* the server closes what is over each address's limit at once; give it time to */
  const openAt = (a) => conns.filter((c) => c.local === `127.0.0.${a + 2}` && !c.isClosed()).length;
  let worst = Infinity;
  for (let i = 0; i < 300 && worst > PER_IP; i++) {
    worst = Math.max(...Array.from({ length: ADDRESSES }, (_, a) => openAt(a)));
    if (worst > PER_IP) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(worst <= PER_IP, `connections beyond an address's limit are closed by the server (one still holds ${worst})`);

  for (let i = 0; i < 10; i++) assert.equal(await health(hold.url), 200, `/health answers during the attack (request ${i + 1})`);

  const open = conns.filter((c) => !c.isClosed());
  assert.ok(open.length <= ADDRESSES * PER_IP, `at most ${PER_IP} connections an address: ${open.length} open`);
  assert.ok(open.length >= ADDRESSES * PER_IP * 0.9, `the slow connections within the limit are still held (${open.length} open), so the attack was real`);
  for (let a = 0; a < ADDRESSES; a++) {
    const n = open.filter((c) => c.local === `127.0.0.${a + 2}`).length;
    assert.ok(n <= PER_IP, `127.0.0.${a + 2} holds ${n} connections, more than ${PER_IP}`);
  }
  for (const c of conns) c.socket.destroy();
});

test('a request head trickled line by line is cut at header_timeout_seconds; a finished one is not', async () => {
  const slow = await Promise.all(Array.from({ length: 30 }, () => trickle(strict.url, '127.0.0.2')));
  assert.ok(slow.every((c) => !c.isClosed()), 'connected');
  assert.ok(await waitClosed(slow, 30000), 'every trickling connection is ended by the server, though it never stops sending');

  /* a keep-alive connection that sent its request in time may idle past the deadline and ask again */
  const { hostname, port } = new URL(strict.url);
  const sock = net.connect({ host: hostname, port: Number(port) });
  let got = '';
  sock.on('data', (d) => { got += d.toString(); });
  await new Promise((r) => sock.on('connect', r));
  sock.write('GET /api/v1/health HTTP/1.1\r\nHost: linli\r\n\r\n');
  await new Promise((r) => setTimeout(r, 3500));
  sock.write('GET /api/v1/health HTTP/1.1\r\nHost: linli\r\n\r\n');
  for (let i = 0; i < 100 && (got.match(/HTTP\/1\.1 200/g) || []).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((got.match(/HTTP\/1\.1 200/g) || []).length, 2, `two answers on one connection: ${got.slice(0, 200)}`);
  sock.destroy();
  assert.equal(await health(strict.url), 200);
});
