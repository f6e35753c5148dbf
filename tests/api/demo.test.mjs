// `linli demo` tells a true story: communities of different sizes (not an
// even share each), demo cases filed under the building their text names (and
// the unit, when it names one), reported at hours people report things.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY } from '../lib/server.mjs';

let srv, admin, staff;

before(async () => {
  srv = await startServer({ demo: true, residents: 3000 });
  admin = (await srv.login('admin')).token;
  staff = (await srv.login('staff')).token;
});
after(async () => { await srv.stop(); });

const get = (p, token) => srv.api('GET', '/api/v1' + p, { token });

test('the street\'s communities differ in size, and the staff\'s community is among the largest', async () => {
  const r = await get('/communities?per_page=200', admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const list = Array.isArray(r.body) ? r.body : r.body.items;
  assert.ok(list.length >= 3, 'a street of several communities');
  const sizes = list.map((c) => c.residents);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 3000, 'every resident in one community');
  assert.ok(new Set(sizes).size >= list.length - 1, 'sizes differ: ' + sizes);
  const min = Math.min(...sizes), max = Math.max(...sizes);
  assert.ok(max >= 2.5 * min, `small and large communities: ${min}..${max}`);
  const own = list.find((c) => c.code === COMMUNITY).residents;
  assert.ok(own >= sizes.slice().sort((a, b) => b - a)[2], 'the staff\'s community is one of the three largest');
});

test('each demo case that names a building is filed under it, and under its unit when it names one', async () => {
  const r = await get(`/cases?community=${COMMUNITY}&per_page=100`, staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const items = r.body.items;
  assert.ok(items.length >= 20, 'the demo has cases: ' + items.length);
  let named = 0;
  for (const c of items) {
    const m = /(\d+)号楼/.exec(c.description);
    if (!m) continue;
    named++;
    assert.equal(c.building_name, `${m[1]}号楼`, `case ${c.id} "${c.description}"`);
    const u = /([1-9])单元/.exec(c.description);
    if (u) assert.equal(c.unit_no ?? c.unit, Number(u[1]), `case ${c.id} "${c.description}" unit`);
  }
  assert.ok(named >= 5, 'several cases name their building: ' + named);
});

test('demo cases were reported at plausible hours (Beijing time, 07:00-22:59)', async () => {
  const r = await get(`/cases?community=${COMMUNITY}&per_page=100`, staff);
  for (const c of r.body.items) {
    const hour = Number(/T(\d{2}):/.exec(c.created_at)[1]);
    assert.match(c.created_at, /\+08:00$/);
    assert.ok(hour >= 7 && hour <= 22, `case ${c.id} reported at ${c.created_at}`);
  }
});

test('months of history: every statistics page of the console has something to show', async () => {
  const street = COMMUNITY.slice(0, 9);
  const streetAdmin = (await srv.login('street')).token;
  /* 案件统计: half a year of months, in the street and in the staff's community, with rates */
  for (const code of [street, COMMUNITY]) {
    const r = await get(`/cases/stats?community=${code}`, code === street ? streetAdmin : staff);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const months = r.body.by_month.filter((m) => m.total > 0);
    assert.ok(months.length >= 6, `${code}: cases in ${months.length} months`);
    assert.ok(r.body.total.rated > 0 && r.body.total.satisfaction_rate !== null, JSON.stringify(r.body.total));
    assert.ok(r.body.by_unit.length >= 2 && r.body.by_grid.length >= 2 && r.body.by_category.length >= 5);
  }
  /* the street's comparison: every community has cases, rates and its year's count */
  let r = await get('/stats/communities', streetAdmin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const c of r.body.items) {
    assert.ok(c.cases_year > 0, `${c.name} has cases`);
    assert.ok(c.on_time_rate !== null && c.satisfaction_rate !== null, `${c.name} has rates`);
  }
  assert.ok(r.body.items.some((c) => c.cases_overdue > 0), 'somewhere a case is overdue');
  assert.ok(r.body.items.some((c) => c.cases_open > 0), 'somewhere cases are open');
  /* every case sits under the building its text names, in every community */
  const cases = (await get(`/cases?community=${street}&per_page=200`, streetAdmin)).body.items;
  assert.ok(new Set(cases.map((c) => c.community)).size >= 3, 'cases in many communities');
  for (const c of cases) {
    const m = /(\d+)号楼/.exec(c.description);
    if (m) assert.equal(c.building_name, `${m[1]}号楼`, `case ${c.id} "${c.description}"`);
  }

  /* 使用统计 of the rooms: bookings over the last months, check-ins and no-shows, a heat map */
  const day = (ago) => new Date(Date.now() + 8 * 3600000 - ago * 86400000).toISOString().slice(0, 10);
  r = await get(`/booking-stats?community=${COMMUNITY}&from=${day(60)}&to=${day(1)}`, staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const rooms = r.body.rooms;
  assert.ok(rooms.length >= 4);
  for (const room of rooms) assert.ok(room.bookings > 0, `${room.name} was booked`);
  assert.ok(r.body.heatmap.length > 0, 'the heat map has booked hours');
  assert.ok(rooms.some((x) => x.no_shows > 0) && rooms.some((x) => x.checked_in > 0));

  /* 助手统计: questions on most days of the last month, answered, rated and not */
  r = await get(`/assistant/stats?days=30&community=${COMMUNITY}`, staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const asked = r.body.by_day.filter((d) => d.asked > 0);
  assert.ok(asked.length >= 25, `questions on ${asked.length} days`);
  assert.ok(r.body.totals.answered > 0 && r.body.totals.helpful > 0 && r.body.totals.asked > r.body.totals.answered);
  assert.ok(r.body.by_section.filter((s) => s.section).length >= 3, 'several sections');
  r = await get(`/assistant/unanswered?community=${COMMUNITY}`, staff);
  assert.ok(r.body.items.length > 0, 'recent questions wait for staff');
});

test('history happened at waking hours, mostly on the working day, less late in the evening', async () => {
  const streetAdmin = (await srv.login('street')).token;
  const hours = new Array(24).fill(0);
  for (let page = 1; page <= 3; page++) {
    const r = await get(`/cases?community=${COMMUNITY.slice(0, 9)}&per_page=200&page=${page}`, streetAdmin);
    for (const c of r.body.items) hours[Number(/T(\d{2}):/.exec(c.created_at)[1])]++;
  }
  const sum = (a, b) => hours.slice(a, b + 1).reduce((x, y) => x + y, 0);
  assert.equal(sum(0, 6) + hours[23], 0, 'nothing between 23:00 and 07:00: ' + hours);
  assert.ok(sum(9, 11) > sum(21, 22), 'more in the morning than late in the evening: ' + hours);
  assert.ok(sum(18, 20) > 0, 'some in the evening');
});

test('the demo volunteers\' confirmed hours earned their points, once per entry, by the community\'s rule', async () => {
  const rules = await get(`/points/rules?community=${COMMUNITY}`, staff);
  assert.equal(rules.status, 200, JSON.stringify(rules.body));
  const perHour = rules.body.rules.find((x) => x.rule === 'volunteer_hour').points;
  assert.ok(perHour > 0, 'the demo rule gives points per hour');
  const vols = await get(`/volunteers?community=${COMMUNITY}&per_page=100`, staff);
  assert.equal(vols.status, 200, JSON.stringify(vols.body));
  let checked = 0;
  for (const v of vols.body.items) {
    const hours = await get(`/volunteers/${v.id}/hours?per_page=500`, staff);
    assert.equal(hours.status, 200, JSON.stringify(hours.body));
    const confirmed = hours.body.items.filter((e) => e.state === 'confirmed' && e.source === 'attendance' && e.minutes > 0);
    if (!confirmed.length) continue;
    const ledger = await get(`/points/accounts/${v.resident_id}`, staff);
    assert.equal(ledger.status, 200, JSON.stringify(ledger.body));
    const awards = ledger.body.entries.filter((e) => e.rule === 'volunteer_hour');
    assert.deepEqual(awards.map((e) => e.ref_id).sort((x, y) => x - y),
      confirmed.map((e) => e.id).sort((x, y) => x - y), `volunteer ${v.id}: one award per confirmed entry`);
    for (const e of confirmed) {
      const award = awards.find((x) => x.ref_id === e.id);
      assert.equal(award.delta, Math.floor(perHour * e.minutes / 60 + 1e-9), `entry ${e.id} of ${e.minutes} minutes`);
    }
    checked++;
  }
  assert.ok(checked >= 5, 'several demo volunteers have confirmed hours: ' + checked);
});
