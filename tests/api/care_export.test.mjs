// The care list as a file (GET /care/people/export): masked as the list is
// shown (names 张**, no birth dates, no ID numbers, nothing of health but
// the ability level and the risk grade), with the list's filters, as xlsx
// or CSV through the writer the registry export uses; `full=1` only for
// the secretary, audited as care.export_full; everyone else 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001'; // same street, another community
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let srv;
const tok = {};
const get = (p, who) => srv.api('GET', p, { token: tok[who] });
const count = (q) => Number(dbSql(srv.db, q).trim());
const csvRows = (buf) => buf.toString('utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((l) => l.split(','));

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  for (const u of ['admin', 'street', 'secretary', 'staff', 'grid', 'volunteer'])
    tok[u] = (await srv.login(u)).token;
});

after(async () => {
  await srv.stop();
});

/* the people of the list, all pages of 200 */
async function listAll(query, who = 'staff') {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await get(`/api/v1/care/people?community=${COMMUNITY}&per_page=200&page=${page}${query}`, who);
    assert.equal(r.status, 200);
    out.push(...r.body.items);
    if (out.length >= r.body.total) return out;
  }
}

test('staff export the care list masked: names masked, no birth date, ID number or health detail', async () => {
  const people = await listAll('');
  assert.ok(people.length >= 5, `${people.length} in care`);
  const a0 = count("SELECT count(*) FROM audit WHERE action = 'care.export'");
  const r = await get(`/api/v1/care/people/export?community=${COMMUNITY}&format=csv`, 'staff');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="care-${COMMUNITY}-\\d{4}-\\d\\d-\\d\\d\\.csv"`));
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const text = r.body.toString('utf8');
  assert.ok(text.startsWith('\uFEFF'), 'a byte-order mark for Excel');
  const rows = csvRows(r.body);
  const head = rows[0];
  assert.equal(head[0], '姓名');
  assert.ok(head.includes('关爱等级') && head.includes('能力等级') && head.includes('走访逾期（天）'));
  assert.ok(!head.includes('出生日期') && !head.some((h) => h.includes('身份证')), head.join(','));
  assert.equal(rows.length - 1, people.length);
  const names = rows.slice(1).map((c) => c[0]).sort();
  for (const p of people) {
    assert.ok(!text.includes(p.name), `full name ${p.name} in the masked file`);
    assert.ok(names.includes(p.name.slice(0, 1) + '*'.repeat([...p.name].length - 1)), `masked ${p.name}`);
  }
  const births = dbSql(srv.db, `SELECT r.birth_date FROM resident r JOIN care_person c ON c.resident_id = r.id
    WHERE c.community = '${COMMUNITY}' AND c.closed_at IS NULL`).trim().split('\n');
  assert.equal(births.length, people.length);
  for (const b of births) assert.ok(!text.includes(b), `birth date ${b} in the masked file`);
  // reasons, tags and grade reasons are not in it
  assert.ok(!text.includes('高龄') && !text.includes('跌倒') && !text.includes('慢性病'), 'no care reasons or tags');
  const grade = head.indexOf('关爱等级');
  assert.deepEqual(rows.slice(1).map((c) => c[grade]).sort(), people.map((p) => p.grade_label).sort());
  assert.equal(count("SELECT count(*) FROM audit WHERE action = 'care.export'"), a0 + 1);
});

test('the export takes the list\'s filters, and xlsx by default', async () => {
  const first = await listAll('&grade=1');
  const r = await get(`/api/v1/care/people/export?community=${COMMUNITY}&format=csv&grade=1`, 'staff');
  assert.equal(r.status, 200);
  assert.equal(csvRows(r.body).length - 1, first.length);
  const notIn = await listAll('&in_care=0');
  const n = await get(`/api/v1/care/people/export?community=${COMMUNITY}&format=csv&in_care=0`, 'staff');
  assert.equal(csvRows(n.body).length - 1, notIn.length);
  assert.ok(csvRows(n.body).slice(1).every((c) => c.includes('未纳入关爱')));

  const x = await get(`/api/v1/care/people/export?community=${COMMUNITY}`, 'street');
  assert.equal(x.status, 200);
  assert.equal(x.headers.get('content-type'), XLSX);
  assert.equal(x.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  assert.match(x.headers.get('content-disposition'), /\.xlsx"; filename\*=UTF-8''/);
});

test('full=1 is the secretary\'s alone, audited as care.export_full', async () => {
  for (const who of ['staff', 'admin', 'street']) {
    const r = await get(`/api/v1/care/people/export?community=${COMMUNITY}&full=1&format=csv`, who);
    assert.equal(r.status, 403, who);
    assert.match(r.body.error.message, /书记/);
  }
  for (const who of ['grid', 'volunteer'])
    assert.equal((await get(`/api/v1/care/people/export?community=${COMMUNITY}&format=csv`, who)).status, 403, who);
  assert.equal((await get(`/api/v1/care/people/export?community=${OTHER}&format=csv`, 'staff')).status, 403);
  const bad = await get(`/api/v1/care/people/export?community=${COMMUNITY}&format=pdf`, 'staff');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'format');
  assert.equal((await get(`/api/v1/care/people/export?community=${COMMUNITY}&full=yes`, 'secretary')).body.error.field, 'full');
  assert.equal(count("SELECT count(*) FROM audit WHERE action = 'care.export_full'"), 0);

  const people = await listAll('', 'secretary');
  const r = await get(`/api/v1/care/people/export?community=${COMMUNITY}&format=csv&full=1`, 'secretary');
  assert.equal(r.status, 200);
  const rows = csvRows(r.body);
  assert.equal(rows[0][1], '出生日期');
  assert.equal(rows.length - 1, people.length);
  const names = rows.slice(1).map((c) => c[0]);
  for (const p of people) assert.ok(names.includes(p.name), `full name ${p.name}`);
  assert.ok(rows.slice(1).every((c) => /^\d{4}-\d\d-\d\d$/.test(c[1])), 'birth dates');
  assert.equal(count("SELECT count(*) FROM audit WHERE action = 'care.export_full'"), 1);
  assert.match(dbSql(srv.db, "SELECT detail FROM audit WHERE action = 'care.export_full'"), /"full":\s*true/);
});

test('the overdue list names each person\'s helpers, for the board that groups by helper', async () => {
  const r = await get(`/api/v1/care/overdue?community=${COMMUNITY}&per_page=200`, 'staff');
  assert.equal(r.status, 200);
  assert.ok(r.body.items.length > 0, 'the demo has someone overdue');
  for (const p of r.body.items) {
    assert.ok(Array.isArray(p.pairs), JSON.stringify(p));
    assert.equal(p.pairs.length, p.helpers, `${p.name}: ${p.helpers} helpers`);
    for (const h of p.pairs) assert.ok(h.user_id > 0 && h.name && h.kind, JSON.stringify(h));
  }
  // the list itself stays as it was
  const l = await get(`/api/v1/care/people?community=${COMMUNITY}&per_page=5`, 'staff');
  assert.ok(l.body.items.every((p) => !('pairs' in p)));
});
