// Community profile (社区信息): staff keep how residents reach their 居委会;
// residents see it (and /me carries the phone the H5's 呼叫居委会 tile dials);
// the assistant answers questions about the community from it and points to
// linli's own pages; a handoff tells the resident the number to call. Bad
// input and people outside the community are refused with nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';
import { expectError } from '../lib/check.mjs';

let srv, other;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body, opts = {}) => srv.api(method, p, { token: tok[who], body, ...opts });
const path = (code = COMMUNITY) => `/api/v1/communities/${code}/profile`;
const ask = async (who, question) => {
  const r = await api('POST', '/api/v1/assistant/ask', who, { question });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  tok[name] = (await srv.login(name)).token;
}

before(async () => {
  srv = await startServer({ demo: true, residents: 1500 });
  for (const u of ['staff', 'street', 'secretary', 'grid', 'resident', 'admin', 'property'])
    tok[u] = (await srv.login(u)).token;
  other = sql(`SELECT code FROM division WHERE parent_code = '${STREET}' AND code <> '${COMMUNITY}' ORDER BY code LIMIT 1`);
  await addUser('farstaff', 'staff', other);
  const oh = Number(sql(`SELECT id FROM household WHERE community = '${other}' ORDER BY id LIMIT 1`));
  await addUser('far', 'resident', oh);
});
after(async () => { await srv.stop(); });

test('the demo gives every community of the street a profile, and /me carries the phone', async () => {
  const communities = Number(sql(`SELECT count(*) FROM division WHERE parent_code = '${STREET}' AND level = 5`));
  assert.ok(communities > 1);
  assert.equal(Number(sql('SELECT count(*) FROM community_profile')), communities);
  const r = await api('GET', path(), 'resident');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.community, COMMUNITY);
  assert.match(r.body.office_phone, /^0\d{2,3}-?\d{7,8}$/);
  const me = await api('GET', '/api/v1/me', 'resident');
  assert.equal(me.body.community.phone, r.body.office_phone);
  assert.equal(me.body.community.profile.duty_phone, r.body.duty_phone);
});

test('staff change the profile; the change is audited and residents see it', async () => {
  const before = Number(sql("SELECT count(*) FROM audit WHERE action = 'community.profile_update'"));
  const body = { office_phone: '021-62519999', office_hours: '周一至周六 8:00—18:00', address: '幸福路 88 号一楼',
    station: '幸福里党群服务站，每天 7:30—21:00', duty_phone: '13912345678' };
  const r = await api('PUT', path(), 'staff', body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const [k, v] of Object.entries(body)) assert.equal(r.body[k], v);
  assert.ok(r.body.updated_by, 'names who changed it');
  assert.equal(Number(sql("SELECT count(*) FROM audit WHERE action = 'community.profile_update'")), before + 1);
  const fields = JSON.parse(sql("SELECT detail FROM audit WHERE action = 'community.profile_update' ORDER BY id DESC LIMIT 1")).fields;
  assert.deepEqual(fields.sort(), Object.keys(body).sort());
  const seen = await api('GET', path(), 'resident');
  assert.equal(seen.body.office_phone, '021-62519999');
  assert.equal((await api('GET', '/api/v1/me', 'resident')).body.community.phone, '021-62519999');
  // a second save that changes one field audits that one field
  const again = await api('PUT', path(), 'secretary', { ...body, duty_phone: '' });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.duty_phone, '');
  const last = JSON.parse(sql("SELECT detail FROM audit WHERE action = 'community.profile_update' ORDER BY id DESC LIMIT 1")).fields;
  assert.deepEqual(last, ['duty_phone']);
  // the street's admin may too
  assert.equal((await api('PUT', path(), 'street', { ...body })).status, 200);
});

test('who may read and who may change', async () => {
  expectError(await api('PUT', path(), 'resident', { office_phone: '021-62510000' }), 403, 'forbidden');
  expectError(await api('PUT', path(), 'grid', { office_phone: '021-62510000' }), 403, 'forbidden');
  expectError(await api('PUT', path(), 'property', { office_phone: '021-62510000' }), 403, 'forbidden');
  expectError(await api('PUT', path(), 'farstaff', { office_phone: '021-62510000' }), 403, 'forbidden');
  expectError(await api('GET', path(), 'far'), 403, 'forbidden');
  assert.equal((await api('GET', path(other), 'far')).status, 200);
  assert.equal((await api('GET', path(), 'staff')).status, 200);
  assert.equal((await api('GET', path(), 'street')).status, 200);
  assert.equal((await api('GET', path())).status, 401);
  assert.notEqual(sql(`SELECT office_phone FROM community_profile WHERE community = '${COMMUNITY}'`), '021-62510000');
});

test('bad input is refused with a Chinese message and nothing written', async () => {
  const was = sql(`SELECT office_phone || '|' || updated_at FROM community_profile WHERE community = '${COMMUNITY}'`);
  expectError(await api('PUT', path(), 'staff', {}), 422, 'missing_field', 'office_phone');
  expectError(await api('PUT', path(), 'staff', { office_phone: '12345' }), 422, 'invalid_phone', 'office_phone');
  expectError(await api('PUT', path(), 'staff', { office_phone: 62510000 }), 422, 'invalid_type', 'office_phone');
  expectError(await api('PUT', path(), 'staff', { office_phone: '021-62510000', duty_phone: '110' }), 422, 'invalid_phone', 'duty_phone');
  expectError(await api('PUT', path(), 'staff', { office_phone: '021-62510000', address: '路'.repeat(81) }), 422, 'too_long', 'address');
  expectError(await api('PUT', path(), 'staff', { office_phone: '021-62510000', fax: '1' }), 422, 'unknown_field', 'fax');
  const bad = await srv.api('PUT', path(), { token: tok.staff, raw: '{"office_phone":', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400);
  expectError(await api('GET', '/api/v1/communities/31010500401/profile', 'admin'), 404, 'not_found', 'community');
  expectError(await api('PUT', '/api/v1/communities/310105004999/profile', 'admin', { office_phone: '021-62510000' }), 404, 'not_found', 'community');
  assert.equal(sql(`SELECT office_phone || '|' || updated_at FROM community_profile WHERE community = '${COMMUNITY}'`), was);
  assert.equal(Number(sql("SELECT count(*) FROM community_profile WHERE community = '310105004999'")), 0);
});

test('the assistant answers questions about the community from its profile, and follows changes', async () => {
  await api('PUT', path(), 'staff', { office_phone: '021-62517777', office_hours: '周一至周五 9:00—17:00', duty_phone: '13800001111' });
  const phone = await ask('resident', '居委会电话多少');
  assert.equal(phone.answered, true, JSON.stringify(phone));
  assert.match(phone.answer, /021-62517777/);
  const night = await ask('resident', '晚上有急事找谁');
  assert.equal(night.answered, true, JSON.stringify(night));
  assert.match(night.answer, /13800001111/);
  // another community's resident hears her own community's number, not ours
  const far = await ask('far', '居委会电话多少');
  assert.doesNotMatch(far.answer, /021-62517777/);
  assert.match(far.answer, new RegExp(sql(`SELECT office_phone FROM community_profile WHERE community = '${other}'`)));
  // a change is answered at once (the knowledge base's version moves)
  await api('PUT', path(), 'staff', { office_phone: '021-62516666' });
  const changed = await ask('resident', '居委会的联系电话');
  assert.match(changed.answer, /021-62516666/);
  assert.doesNotMatch(changed.answer, /13800001111/, 'the duty phone removed is no longer given');
});

test('questions about what linli does answer with a link to the page', async () => {
  const rooms = await ask('resident', '活动室怎么预约');
  assert.equal(rooms.answered, true, JSON.stringify(rooms));
  assert.equal(rooms.link, '/h5/#/rooms');
  const report = await ask('resident', '发现小区里有安全隐患，怎么上报');
  assert.equal(report.link, '/h5/#/cases/new', JSON.stringify(report));
  // answered from the knowledge base, the report page is still offered, linked
  const story = await ask('resident', '楼道里堆了杂物向谁反映');
  const links = [story.link, ...story.suggestions.map((s) => s.link)];
  assert.ok(links.includes('/h5/#/cases/new'), JSON.stringify(story));
  const kb = await ask('resident', '低保怎么申请');
  assert.equal(kb.link, null, 'an ordinary entry has no link');
});

test('a handoff tells the resident the number to call', async () => {
  const q = await ask('resident', '我想咨询一下我家老房子拆迁补偿怎么算的问题');
  const r = await api('POST', '/api/v1/assistant/handoff', 'resident', { question_id: q.question_id, name: '王阿姨', phone: '13700001234' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const phone = sql(`SELECT office_phone FROM community_profile WHERE community = '${COMMUNITY}'`);
  assert.ok(r.body.next.includes(phone), r.body.next);
});
