// Bookings on PostgreSQL (issue 13): a booking locks its room, not every
// write (store_begin_keyed), and two servers booking the same slots of two
// rooms still give exactly one booking per slot. PostgreSQL only: skipped
// unless LINLI_TEST_PG=1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, serveAgain, COMMUNITY, PG, dbSql } from '../lib/server.mjs';

const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000;
const WRITE_LOCK_KEY = '465975315561'; /* store_pg.c */
const STORE_LOCK_ROOM = 1;             /* store.h */

let srv;
let staff;
const todayDay = () => Math.floor((Date.now() + OFF) / DAY);
const at = (d, h, m = 0) => (todayDay() + d) * DAY - OFF + (h * 60 + m) * MIN;
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');

/* A psql session that holds what an open booking transaction of @room holds, until release(). */
async function holdRoomLocks(db, room) {
  const p = spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const locked = new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => { out += d; if (out.includes('locked')) resolve(); });
    p.on('exit', () => reject(new Error(`psql ended: ${out}`)));
  });
  p.stdin.write(`BEGIN; SELECT pg_advisory_xact_lock_shared(${WRITE_LOCK_KEY});`
    + ` SELECT pg_advisory_xact_lock(${STORE_LOCK_ROOM}, ${room}); SELECT 'locked';\n`);
  await locked;
  return {
    release: () => new Promise((resolve) => {
      p.removeAllListeners('exit');
      p.on('exit', resolve);
      p.stdin.end('COMMIT;\n');
    }),
  };
}

async function makeRoom(name) {
  const r = await srv.api('POST', '/api/v1/rooms', { token: staff, body: { community: COMMUNITY, name, capacity: 10 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

before(async () => {
  if (!PG) return;
  srv = await startServer({ demo: true, residents: 200 });
  staff = (await srv.login('staff')).token;
});
after(async () => { if (srv) await srv.stop(); });

test('a booking of one room commits while another room\'s booking transaction is open', { skip: !PG && 'PostgreSQL only (LINLI_TEST_PG=1)' }, async () => {
  const a = await makeRoom('锁测试甲');
  const b = await makeRoom('锁测试乙');
  const { token } = await srv.login('resident');
  const book = (room) => srv.api('POST', '/api/v1/bookings', {
    token, body: { room_id: room, start: iso(at(2, 10)), end: iso(at(2, 11)) },
  });
  const held = await holdRoomLocks(srv.db, a);
  let pendingA;
  try {
    // with one lock for every write this request would wait for the session above
    const rb = await Promise.race([book(b), new Promise((_, reject) => setTimeout(() => reject(new Error('room B waited for room A\'s lock')), 30000))]);
    assert.equal(rb.status, 201, JSON.stringify(rb.body));
    pendingA = book(a); /* waits for room A's lock */
  } finally {
    await held.release();
  }
  const ra = await pendingA;
  assert.equal(ra.status, 201, JSON.stringify(ra.body));
});

test('two servers, two rooms, 40 concurrent bookings of one slot: one booking per room, no overlap', { skip: !PG && 'PostgreSQL only (LINLI_TEST_PG=1)' }, async () => {
  const rooms = [await makeRoom('并发甲'), await makeRoom('并发乙')];
  const other = await serveAgain(srv);
  try {
    const users = ['resident', 'staff', 'secretary', 'grid'];
    const tokens = [];
    for (const [i, s] of [srv, other].entries()) {
      tokens[i] = {};
      for (const u of users) tokens[i][u] = (await s.login(u)).token;
    }
    const start = iso(at(3, 14)), end = iso(at(3, 15));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const s = i % 2 ? other : srv;
      return s.api('POST', '/api/v1/bookings', {
        token: tokens[i % 2][users[i % users.length]],
        body: { room_id: rooms[Math.floor(i / 2) % 2], start, end },
      });
    }));
    const created = results.filter((r) => r.status === 201);
    assert.equal(created.length, 2, JSON.stringify(results.map((r) => r.status)));
    assert.deepEqual(created.map((r) => r.body.room_id).sort(), [...rooms].sort());
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'slot_taken');
    }
    const overlaps = dbSql(srv.db, `SELECT count(*) FROM booking x JOIN booking y ON x.room_id = y.room_id AND x.id < y.id
      AND x.start_ms < y.end_ms AND y.start_ms < x.end_ms
      WHERE x.state IN ('pending', 'confirmed', 'checked_in') AND y.state IN ('pending', 'confirmed', 'checked_in')`).trim();
    assert.equal(overlaps, '0');
  } finally {
    await other.stop();
  }
});
