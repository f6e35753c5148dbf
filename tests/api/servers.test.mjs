/*
 * Several `linli serve` processes on one database (issue 13): what one
 * server writes, another reads at once; a session made on one is good on
 * the other; writes racing through both servers have one winner (50
 * bookings of one slot, conflicting steps on one case). On SQLite the
 * processes share the file; with LINLI_TEST_PG=1 they share one PostgreSQL
 * database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMUNITY, dbSql, serveAgain, startServer } from '../lib/server.mjs';

const sql = (q) => dbSql(a.db, q).trim();
const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000;
/* Unix ms of local (UTC+8) day today+@d at @h:@m, and its ISO form */
const at = (d, h, m = 0) => (Math.floor((Date.now() + OFF) / DAY) + d) * DAY - OFF + (h * 60 + m) * MIN;
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');

/* Active bookings of @room that overlap another one: must be none. */
const overlaps = (room) => sql(`SELECT count(*) FROM booking x JOIN booking y ON y.room_id = x.room_id AND y.id > x.id
  AND x.start_ms < y.end_ms AND y.start_ms < x.end_ms
  WHERE x.room_id = ${room} AND x.state IN ('pending', 'confirmed', 'checked_in') AND y.state IN ('pending', 'confirmed', 'checked_in')`);

let a;
let b;

before(async () => {
  a = await startServer({ demo: true, residents: 300 });
  b = await serveAgain(a);
});

after(async () => {
  await b?.stop();
  await a?.stop();
});

describe('two servers, one database', () => {
  test('a session signed in on one server is good on the other, and signing out ends it on both', async () => {
    const { token } = await a.login('staff');
    assert.equal((await b.api('GET', '/api/v1/me', { token })).status, 200);
    assert.equal((await b.api('POST', '/api/v1/auth/logout', { token })).status, 200);
    assert.equal((await a.api('GET', '/api/v1/me', { token })).status, 401);
  });

  test('a resident written on one server is found on the other at once', async () => {
    const { token } = await a.login('admin');
    const before = await b.api('GET', '/api/v1/residents?q=' + encodeURIComponent('甄一鸣'), { token });
    assert.equal(before.status, 200);
    assert.equal(before.body.total, 0);
    const list = await a.api('GET', '/api/v1/residents?per_page=1', { token });
    const household = list.body.items[0].household_id;
    const made = await a.api('POST', '/api/v1/residents', {
      token, body: { name: '甄一鸣', gender: 'male', birth_date: '1961-03-02', household_id: household, relation: 'other' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const after = await b.api('GET', '/api/v1/residents?q=' + encodeURIComponent('甄一鸣'), { token });
    assert.equal(after.body.total, 1, 'the other server does not answer from a stale cache');
    assert.equal(after.body.items[0].id, made.body.id);
  });
});

describe('writes racing through two servers', () => {
  const residents = []; /* tokens of residents with an account each */
  let staff;
  /* a session of its own (srv.login's may have been signed out above) */
  const signIn = async (srv, username) => {
    const r = await srv.api('POST', '/api/v1/auth/login', { body: { username, password: 'linli2026' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.token;
  };

  before(async () => {
    staff = await signIn(a, 'staff');
    const households = sql(`SELECT id FROM household WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 10`).split('\n');
    for (const [i, h] of households.entries()) {
      a.linli(['user', 'add', '--db', a.db, '--username', `race${i}`, '--password', 'linli2026', '--role', 'resident', '--scope', h]);
      residents.push(await signIn(i % 2 ? b : a, `race${i}`));
    }
  });

  async function makeRoom(name, rules) {
    const r = await a.api('POST', '/api/v1/rooms', { token: staff, body: { community: COMMUNITY, name, capacity: 10 } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    if (rules) assert.equal((await b.api('PATCH', `/api/v1/rooms/${r.body.id}`, { token: staff, body: { rules } })).status, 200);
    return r.body.id;
  }

  test('50 concurrent bookings of one slot over both servers: one 201, 49 × 409, no overlap', async () => {
    const room = await makeRoom('双机并发室');
    const body = { room_id: room, start: iso(at(2, 14)), end: iso(at(2, 16)) };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      (i % 2 ? b : a).api('POST', '/api/v1/bookings', { token: residents[i % residents.length], body })));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 409).length, 49, JSON.stringify(statuses));
    assert.ok(results.every((r) => r.status === 201 || r.body.error.code === 'slot_taken'));
    assert.equal(sql(`SELECT count(*) FROM booking WHERE room_id = ${room}`), '1', 'the losers left no row');
    assert.equal(sql(`SELECT count(*) FROM booking_slot WHERE room_id = ${room}`), '24', 'two hours of 5-minute slots, once');
    assert.equal(overlaps(room), '0');
  });

  test('overlapping bookings of one room racing over both servers leave no overlap', async () => {
    const room = await makeRoom('双机交错室', { slot_minutes: 15, min_minutes: 15, max_minutes: 240 });
    /* 40 bookings of 1 to 2 hours, starting every 15 minutes: each overlaps its neighbours */
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const start = at(3, 8) + i * 15 * MIN;
      const body = { room_id: room, start: iso(start), end: iso(start + (4 + (i % 5)) * 15 * MIN) };
      return (i % 2 ? b : a).api('POST', '/api/v1/bookings', { token: residents[i % residents.length], body });
    }));
    const made = results.filter((r) => r.status === 201).length;
    assert.ok(made >= 1, JSON.stringify(results.map((r) => r.status)));
    assert.ok(results.every((r) => r.status === 201 || (r.status === 409 && r.body.error.code === 'slot_taken')),
      JSON.stringify(results.filter((r) => r.status !== 201).map((r) => r.body)));
    assert.equal(sql(`SELECT count(*) FROM booking WHERE room_id = ${room}`), String(made));
    assert.equal(overlaps(room), '0');
    /* the slots held are exactly those of the bookings made */
    assert.equal(sql(`SELECT count(*) FROM booking_slot WHERE room_id = ${room}`),
      sql(`SELECT coalesce(sum((end_ms - start_ms) / ${5 * MIN}), 0) FROM booking WHERE room_id = ${room}`));
  });

  /* A case a resident reports at a building: the routing rules dispatch it to the property unit. */
  async function reportCase() {
    const token = await signIn(a, 'resident');
    const building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
    const c = await a.api('POST', '/api/v1/cases', { token, body: { category: 'corridor_clutter', description: '楼道堆放杂物', building_id: building } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    return c.body;
  }

  /* Each step of @id starts where the one before ended, and the case is where the last one left it. */
  function assertHistoryConsistent(id) {
    const steps = sql(`SELECT coalesce(from_state, '') || '>' || to_state FROM case_step WHERE case_id = ${id} ORDER BY id`).split('\n');
    for (let i = 1; i < steps.length; i++) {
      const [from] = steps[i].split('>');
      const prevTo = steps[i - 1].split('>')[1];
      if (from) assert.equal(from, prevTo, `step ${i} of case ${id}: ${steps.join(', ')}`);
    }
    assert.equal(sql(`SELECT state FROM cases WHERE id = ${id}`), steps.at(-1).split('>')[1]);
  }

  test('two staff stepping one case through different servers: one wins, the other gets a 409', async () => {
    const secretary = await signIn(b, 'secretary');
    const property = await signIn(a, 'property');
    const grid = await signIn(b, 'grid');
    for (let i = 0; i < 6; i++) {
      const c = await reportCase();
      assert.equal((await a.api('POST', `/api/v1/cases/${c.id}/handle`, { token: property })).status, 200);
      assert.equal((await b.api('POST', `/api/v1/cases/${c.id}/verify`, { token: grid })).status, 200);
      /* close on one server, send back on the other, by two different people */
      const [x, y] = await Promise.all([
        a.api('POST', `/api/v1/cases/${c.id}/close`, { token: staff }),
        b.api('POST', `/api/v1/cases/${c.id}/return`, { token: secretary, body: { reason: '核查未通过' } }),
      ]);
      assert.deepEqual([x.status, y.status].sort(), [200, 409], `${x.status} ${y.status}`);
      const loser = x.status === 409 ? x : y;
      assert.equal(loser.body.error.code, 'invalid_transition');
      const winner = x.status === 200 ? 'close/closed' : 'return/returned';
      assert.equal(sql(`SELECT action || '/' || to_state FROM case_step WHERE case_id = ${c.id} ORDER BY id DESC LIMIT 1`), winner);
      assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action IN ('close', 'return')`), '1');
      assertHistoryConsistent(c.id);
      /* and both servers read the winner's state */
      const ra = await a.api('GET', `/api/v1/cases/${c.id}`, { token: staff });
      const rb = await b.api('GET', `/api/v1/cases/${c.id}`, { token: staff });
      assert.equal(ra.body.state, winner.split('/')[1]);
      assert.equal(rb.body.state, winner.split('/')[1]);
    }
  });

  test('the same step sent six times through both servers: done once', async () => {
    const property = await signIn(a, 'property');
    const c = await reportCase();
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      (i % 2 ? b : a).api('POST', `/api/v1/cases/${c.id}/handle`, { token: property })));
    assert.equal(rs.filter((r) => r.status === 200).length, 1, JSON.stringify(rs.map((r) => r.status)));
    assert.ok(rs.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.error.code === 'invalid_transition'));
    assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action = 'handle'`), '1');
    assertHistoryConsistent(c.id);
  });
});
