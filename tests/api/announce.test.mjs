// Announcements (通知公告): staff publish to a community, a street, a building,
// a unit or a tag's households; residents see exactly those that reach their
// household (and get a notice in 消息); read receipts count households; files;
// pinning, ending and withdrawing; every bad input refused with nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';

let srv, other;
const tok = {};
const uid = {};
const hh = {};

const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body, opts = {}) => srv.api(method, p, { token: tok[who], body, ...opts });
const count = () => Number(sql('SELECT count(*) FROM announcement'));
const post = (who, body) => api('POST', '/api/v1/announcements', who, body);
const base = (extra = {}) => ({ scope: COMMUNITY, title: '测试通知', body: '第一行\n第二行', ...extra });
const list = async (who, q = '') => {
  const r = await api('GET', `/api/v1/announcements${q}`, who);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const ids = (b) => b.items.map((x) => x.id);
// households the way the server counts them: with an active resident
const households = (where) => Number(sql(`SELECT count(*) FROM household h WHERE ${where}
  AND EXISTS (SELECT 1 FROM resident r WHERE r.household_id = h.id AND r.status = 'active')`));

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

before(async () => {
  srv = await startServer({ demo: true, residents: 1500 });
  for (const u of ['staff', 'street', 'secretary', 'grid', 'resident', 'admin']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  // two buildings of the community; r1 lives in the first (unit 1), r2 in the second
  const [b1, b2] = sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 2`).split('\n').map(Number);
  hh.b1 = b1;
  hh.b2 = b2;
  hh.r1 = Number(sql(`SELECT id FROM household WHERE building_id = ${b1} AND unit = 1 AND id NOT IN (SELECT coalesce(household_id, 0) FROM app_user) ORDER BY id LIMIT 1`));
  hh.r2 = Number(sql(`SELECT id FROM household WHERE building_id = ${b2} AND id NOT IN (SELECT coalesce(household_id, 0) FROM app_user) ORDER BY id LIMIT 1`));
  await addUser('r1', 'resident', hh.r1);
  await addUser('r2', 'resident', hh.r2);
  other = sql(`SELECT code FROM division WHERE parent_code = '${STREET}' AND code <> '${COMMUNITY}' ORDER BY code LIMIT 1`);
  const oh = Number(sql(`SELECT id FROM household WHERE community = '${other}' ORDER BY id LIMIT 1`));
  await addUser('far', 'resident', oh);
  await addUser('farstaff', 'staff', other);
});
after(async () => { await srv.stop(); });

test('the demo has announcements with read receipts and a pinned one first', async () => {
  const b = await list('staff');
  assert.ok(b.items.length >= 4, JSON.stringify(b));
  assert.equal(b.items[0].pinned, true);
  assert.equal(b.items[0].state, 'active');
  const read = b.items.filter((x) => x.read_households > 0);
  assert.ok(read.length >= 2, 'some demo notices have been read');
  for (const x of b.items) assert.ok(x.read_households <= x.households, `${x.title}: ${x.read_households}/${x.households}`);
  assert.ok(b.items.some((x) => x.state === 'ended'), 'an ended one is listed for staff');
  const mine = await list('resident');
  assert.ok(mine.items.length >= 2);
  assert.ok(mine.items.every((x) => x.state === 'active'), 'residents see only current ones');
  assert.ok(mine.unread >= 1);
  assert.equal(mine.items[0].households, undefined, 'receipts are for staff');
});

test('staff publish to the community: every household counts, residents see it and are told', async () => {
  const before = (await list('r1')).unread;
  const r = await post('staff', base({ title: '社区停电通知', body: '  周五 9:00-12:00 停电。\r\n请提前准备。  ', pinned: true, ends_at: '2099-01-31' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const a = r.body;
  assert.equal(a.title, '社区停电通知');
  assert.equal(a.body, '周五 9:00-12:00 停电。\n请提前准备。', 'trimmed, CRLF made LF, line breaks kept');
  assert.equal(a.scope, COMMUNITY);
  assert.equal(a.households, households(`h.community = '${COMMUNITY}'`));
  assert.equal(a.read_households, 0);
  assert.equal(a.pinned, true);
  assert.equal(a.ends_at, '2099-01-31T23:59:59+08:00');
  assert.equal(a.can_edit, true);
  assert.match(a.audience, /居委会|社区/);
  const seen = await list('r1');
  assert.equal(seen.items[0].id, a.id, 'pinned and newest first');
  assert.equal(seen.items[0].read_at, null);
  assert.equal(seen.unread, before + 1);
  const inbox = await api('GET', '/api/v1/notices?unread=1', 'r1');
  const n = inbox.body.items.find((x) => x.link === `/announcements/${a.id}`);
  assert.ok(n, 'a notice in 消息');
  assert.equal(n.kind, 'announcement');
  assert.match(n.title, /社区停电通知/);
  assert.equal(sql(`SELECT action FROM audit WHERE object_type = 'announcement' AND object_id = ${a.id}`), 'announcement.create');
  // another community's resident neither sees it nor may open it
  assert.ok(!ids(await list('far')).includes(a.id));
  assert.equal((await api('GET', `/api/v1/announcements/${a.id}`, 'far')).status, 404);
  assert.ok(!ids(await list('farstaff')).includes(a.id));
});

test('reading counts households once, marks the notice read, and is idempotent', async () => {
  const r = await post('staff', base({ title: '阅读回执测试' }));
  const a = r.body;
  let x = await api('POST', `/api/v1/announcements/${a.id}/read`, 'r1');
  assert.equal(x.status, 200, JSON.stringify(x.body));
  assert.match(x.body.read_at, /\+08:00$/);
  const first = x.body.read_at;
  x = await api('POST', `/api/v1/announcements/${a.id}/read`, 'r1');
  assert.equal(x.body.read_at, first, 'the first reading stands');
  // a second account of the same household adds no household
  await addUser('r1b', 'resident', hh.r1);
  await api('POST', `/api/v1/announcements/${a.id}/read`, 'r1b');
  await api('POST', `/api/v1/announcements/${a.id}/read`, 'staff'); // staff reading is no household's
  const g = await api('GET', `/api/v1/announcements/${a.id}`, 'staff');
  assert.equal(g.body.read_households, 1);
  assert.equal(g.body.households, a.households);
  const mine = await api('GET', `/api/v1/announcements/${a.id}`, 'r1');
  assert.equal(mine.body.read_at, first);
  const inbox = await api('GET', '/api/v1/notices', 'r1');
  const n = inbox.body.items.find((y) => y.link === `/announcements/${a.id}`);
  assert.ok(n.read_at, 'the notice of it is read too');
  // receipts per household: the unread ones first, r1's household read
  const all = await api('GET', `/api/v1/announcements/${a.id}/reads?per_page=500`, 'staff');
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.total, a.households);
  const row = all.body.items.find((y) => y.household_id === hh.r1);
  assert.ok(row && row.read_at, 'r1 household read');
  assert.equal(all.body.items[all.body.items.length - 1].household_id, hh.r1, 'read ones last');
  const unread = await api('GET', `/api/v1/announcements/${a.id}/reads?unread=1&per_page=500`, 'staff');
  assert.equal(unread.body.total, a.households - 1);
  assert.ok(unread.body.items.every((y) => y.read_at === null));
  assert.match(unread.body.items[0].address, /单元.*室$/);
  assert.equal((await api('GET', `/api/v1/announcements/${a.id}/reads`, 'r1')).status, 403);
});

test('a building, a unit and a tag reach only their households', async () => {
  let r = await post('staff', base({ title: '楼栋通知', building_id: hh.b1 }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const bld = r.body;
  assert.equal(bld.households, households(`h.building_id = ${hh.b1}`));
  assert.equal(bld.building_id, hh.b1);
  r = await post('staff', base({ title: '单元通知', building_id: hh.b1, unit: 1 }));
  const unit = r.body;
  assert.equal(unit.households, households(`h.building_id = ${hh.b1} AND h.unit = 1`));
  assert.match(unit.audience, /1单元/);
  r = await post('staff', base({ title: '单元二通知', building_id: hh.b1, unit: 2 }));
  const unit2 = r.body;
  const seen1 = ids(await list('r1'));
  const seen2 = ids(await list('r2'));
  assert.ok(seen1.includes(bld.id) && seen1.includes(unit.id));
  assert.ok(!seen1.includes(unit2.id), 'another unit');
  assert.ok(!seen2.includes(bld.id) && !seen2.includes(unit.id), 'another building');
  assert.equal((await api('GET', `/api/v1/announcements/${bld.id}`, 'r2')).status, 404);

  // a tag: given to a member of r2's household, the notice reaches r2 only
  const member = Number(sql(`SELECT id FROM resident WHERE household_id = ${hh.r2} AND status = 'active' ORDER BY id LIMIT 1`));
  sql(`DELETE FROM resident_tag WHERE tag = '孕产妇'; INSERT INTO resident_tag (resident_id, tag) VALUES (${member}, '孕产妇')`);
  r = await post('staff', base({ title: '孕产妇通知', tag: '孕产妇' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.households, 1);
  assert.equal(r.body.tag, '孕产妇');
  assert.ok(ids(await list('r2')).includes(r.body.id));
  assert.ok(!ids(await list('r1')).includes(r.body.id));
});

test('the street publishes to all its communities; community staff see it but may not change it', async () => {
  let r = await post('staff', base({ scope: STREET, title: '街道通知' }));
  assert.equal(r.status, 403);
  r = await post('street', base({ scope: STREET, title: '街道通知' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const a = r.body;
  assert.equal(a.households, households(`h.community LIKE '${STREET}%'`));
  for (const who of ['r1', 'far']) assert.ok(ids(await list(who)).includes(a.id), who);
  const s = (await list('staff')).items.find((x) => x.id === a.id);
  assert.equal(s.can_edit, false);
  assert.equal((await api('PATCH', `/api/v1/announcements/${a.id}`, 'staff', { pinned: true })).status, 403);
  assert.equal((await api('GET', `/api/v1/announcements/${a.id}/reads`, 'staff')).status, 403);
  // the street may also publish to one of its communities
  r = await post('street', base({ scope: other, title: '给兄弟社区' }));
  assert.equal(r.status, 201);
  assert.ok(ids(await list('far')).includes(r.body.id));
  assert.ok(!ids(await list('r1')).includes(r.body.id));
  // ?community= narrows a staff list
  const only = await list('street', `?community=${other}`);
  assert.ok(ids(only).includes(r.body.id) && ids(only).includes(a.id));
  assert.ok(only.items.every((x) => x.scope === other || x.scope === STREET));
  assert.equal((await api('GET', `/api/v1/announcements?community=${other}`, 'staff')).status, 403);
});

test('pin, end and withdraw: residents stop seeing what ended or was withdrawn', async () => {
  const a = (await post('secretary', base({ title: '将撤回' }))).body;
  let r = await api('PATCH', `/api/v1/announcements/${a.id}`, 'staff', { pinned: true, ends_at: '2099-12-31T18:00:00+08:00' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.pinned, true);
  assert.equal(r.body.ends_at, '2099-12-31T18:00:00+08:00');
  r = await api('PATCH', `/api/v1/announcements/${a.id}`, 'staff', { ends_at: null });
  assert.equal(r.body.ends_at, null);
  r = await api('POST', `/api/v1/announcements/${a.id}/withdraw`, 'staff');
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'withdrawn');
  assert.ok(!ids(await list('r1')).includes(a.id));
  assert.equal((await api('GET', `/api/v1/announcements/${a.id}`, 'r1')).status, 404);
  assert.equal((await api('PATCH', `/api/v1/announcements/${a.id}`, 'staff', { pinned: false })).status, 409);
  assert.ok(ids(await list('staff', '?state=withdrawn')).includes(a.id));
  assert.ok(!ids(await list('staff', '?state=active')).includes(a.id));
  assert.equal(sql(`SELECT group_concat(action) FROM (SELECT action FROM audit WHERE object_type = 'announcement' AND object_id = ${a.id} ORDER BY id) AS a`),
    'announcement.create,announcement.update,announcement.update,announcement.withdraw');

  const e = (await post('staff', base({ title: '已结束' }))).body;
  sql(`UPDATE announcement SET ends_at = ${Date.now() - 1000} WHERE id = ${e.id}`);
  assert.ok(!ids(await list('r1')).includes(e.id));
  assert.ok(ids(await list('staff', '?state=ended')).includes(e.id));
  assert.equal((await api('GET', '/api/v1/announcements?state=nope', 'staff')).status, 400);
});

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f1e1f10000000049454e44ae426082', 'hex');

test('pictures and attachments: upload, attach, only those who see the notice fetch them', async () => {
  let r = await api('POST', '/api/v1/announcement-files?name=' + encodeURIComponent('海报.png'), 'staff', undefined, { raw: PNG, headers: { 'Content-Type': 'image/png' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const f = r.body;
  assert.equal(f.mime, 'image/png');
  assert.equal(f.name, '海报.png');
  r = await api('GET', f.url, 'r1');
  assert.equal(r.status, 404, 'not attached: only its uploader');
  r = await api('GET', f.url, 'staff');
  assert.equal(r.status, 200);
  r = await post('staff', base({ title: '带图片', files: [f.id] }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.files.map((x) => [x.id, x.image]), [[f.id, true]]);
  r = await api('GET', f.url, 'r1');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(r.body), PNG);
  assert.equal((await api('GET', f.url, 'far')).status, 404);
  // used once only
  const n = count();
  r = await post('staff', base({ title: '再用一次', files: [f.id] }));
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'unknown_file');
  assert.equal(r.body.error.field, 'files[0]');
  assert.equal(count(), n, 'nothing written');
  // not an image or PDF; too large; a resident may not upload
  r = await api('POST', '/api/v1/announcement-files', 'staff', undefined, { raw: 'hello', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(r.status, 415);
  assert.equal(r.body.error.code, 'unsupported_file');
  r = await api('POST', '/api/v1/announcement-files', 'staff', undefined, { raw: Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), headers: { 'Content-Type': 'image/png' } });
  assert.equal(r.status, 413);
  r = await api('POST', '/api/v1/announcement-files', 'r1', undefined, { raw: PNG, headers: { 'Content-Type': 'image/png' } });
  assert.equal(r.status, 403);
});

test('bad input is refused with the field named, and nothing is written', async () => {
  const n = count();
  const notices = sql('SELECT count(*) FROM notice');
  const cases = [
    [base({ title: undefined }), 422, 'missing_field', 'title'],
    [base({ title: '' }), 422, 'missing_field', 'title'],
    [base({ title: '标'.repeat(61) }), 422, 'too_long', 'title'],
    [base({ title: 5 }), 422, 'invalid_type', 'title'],
    [base({ body: '   ' }), 422, 'missing_field', 'body'],
    [base({ body: '文'.repeat(5001) }), 422, 'too_long', 'body'],
    [base({ body: 'a\u0001b' }), 422, 'invalid_text', 'body'],
    [base({ scope: undefined }), 422, 'missing_field', 'scope'],
    [base({ scope: '31010500401' }), 422, 'invalid_code', 'scope'],
    [base({ scope: '310105' }), 422, 'invalid_scope', 'scope'],
    [base({ scope: '310105004999' }), 403, 'forbidden', null],
    [base({ unit: 1 }), 422, 'unit_needs_building', 'unit'],
    [base({ building_id: 99999999 }), 422, 'unknown_building', 'building_id'],
    [base({ building_id: 'x' }), 422, 'invalid_type', 'building_id'],
    [base({ building_id: hh.b1, unit: 50 }), 422, 'unknown_unit', 'unit'],
    [base({ tag: '没有这个标签' }), 422, 'unknown_tag', 'tag'],
    [base({ pinned: 'yes' }), 422, 'invalid_type', 'pinned'],
    [base({ ends_at: '2020-01-01' }), 422, 'ends_in_past', 'ends_at'],
    [base({ ends_at: 'tomorrow' }), 422, 'invalid_time', 'ends_at'],
    [base({ files: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }), 422, 'too_many_files', 'files'],
    [base({ files: [0] }), 422, 'invalid_type', 'files[0]'],
    [base({ files: [99999] }), 422, 'unknown_file', 'files[0]'],
    [base({ colour: 'red' }), 422, 'unknown_field', 'colour'],
  ];
  for (const [body, status, code, field] of cases) {
    const r = await post('staff', body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body)}`);
    if (code !== 'forbidden') assert.equal(r.body.error.code, code, JSON.stringify(r.body));
    if (field) assert.equal(r.body.error.field, field);
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
  }
  // the building of another community
  const far = Number(sql(`SELECT id FROM building WHERE community = '${other}' LIMIT 1`));
  let r = await post('staff', base({ building_id: far }));
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'unknown_building');
  r = await api('POST', '/api/v1/announcements', 'staff', undefined, { raw: '{"scope":', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'malformed_json');
  r = await api('POST', '/api/v1/announcements', 'staff', undefined, { raw: '[]', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 400);
  r = await api('POST', '/api/v1/announcements', 'staff', undefined, { raw: 'scope=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 415);
  for (const who of ['resident', 'grid']) assert.equal((await post(who, base())).status, 403, who);
  assert.equal((await srv.api('POST', '/api/v1/announcements', { body: base() })).status, 401);
  assert.equal((await srv.api('GET', '/api/v1/announcements')).status, 401);
  assert.equal((await api('PATCH', '/api/v1/announcements/1', 'staff', {})).status, 422);
  assert.equal((await api('GET', '/api/v1/announcements/99999', 'staff')).status, 404);
  assert.equal((await api('GET', '/api/v1/announcements/abc', 'staff')).status, 404);
  assert.equal(count(), n, 'no announcement written');
  assert.equal(sql('SELECT count(*) FROM notice'), notices, 'no notice written');
});
