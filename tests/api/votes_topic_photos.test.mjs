// Photos on topics (议题照片, issue 16): a resident uploads up to three
// photos (JPEG, PNG or WebP by content, ≤ 8 MB) and raises a topic naming
// them; only her own photos that no topic took yet are accepted (422 naming
// photo_ids[i], nothing written); the photos are served to those who see the
// topic, a hidden topic's only to its author and staff. Runs on both stores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let srv;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who] ?? who, body });
const upload = (who, raw, type = 'image/png') => srv.api('POST', '/api/v1/topic-photos', { token: tok[who], raw, headers: { 'Content-Type': type } });
const TOPIC = { title: '楼道照明太暗', body: '三楼到五楼的楼道灯坏了很久，晚上上下楼看不清台阶，请尽快修好。' };

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field);
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
}

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  for (const u of ['staff', 'resident']) tok[u] = (await srv.login(u)).token;
  // a neighbour: another home's account in the same community
  const other = Number(sql(`SELECT max(id) FROM household WHERE community = '${COMMUNITY}'`));
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'neighbour', '--password', 'linli2026', '--role', 'resident', '--scope', String(other)]);
  tok.neighbour = (await srv.login('neighbour')).token;
});

after(async () => {
  await srv?.stop();
});

test('an upload must be an image by its content, at most 8 MB; nothing is kept otherwise', async () => {
  const n0 = count('SELECT count(*) FROM topic_photo');
  expectError(await upload('resident', Buffer.from('%PDF-1.4 not a photo at all')), 415, 'not_an_image');
  expectError(await upload('resident', Buffer.from('GIF89a'), 'image/gif'), 415, 'not_an_image');
  expectError(await upload('resident', Buffer.concat([PNG, Buffer.alloc(8 * 1024 * 1024)])), 413, 'photo_too_large');
  expectError(await upload('resident', Buffer.alloc(0)), 422, 'empty_photo');
  assert.equal(count('SELECT count(*) FROM topic_photo'), n0, 'nothing written');
  const r = await upload('resident', PNG, 'application/octet-stream');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.url, `/api/v1/topic-photos/${r.body.id}`);
  assert.equal(count('SELECT count(*) FROM topic_photo'), n0 + 1);
  // not yet on a topic: hers only
  const mine = await srv.api('GET', r.body.url, { token: tok.resident });
  assert.equal(mine.status, 200);
  assert.deepEqual(Buffer.from(mine.body), PNG);
  assert.equal((await srv.api('GET', r.body.url, { token: tok.neighbour })).status, 404);
});

test('a topic takes only her own untaken photos, at most three; otherwise 422 naming photo_ids[i] and nothing written', async () => {
  const mine = [];
  for (let i = 0; i < 4; i++) mine.push((await upload('resident', PNG)).body.id);
  const theirs = (await upload('neighbour', PNG)).body.id;
  const topics = count('SELECT count(*) FROM topic');
  expectError(await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, photo_ids: [mine[0], theirs] }), 422, 'unknown_photo', 'photo_ids[1]');
  expectError(await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, photo_ids: [999999] }), 422, 'unknown_photo', 'photo_ids[0]');
  expectError(await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, photo_ids: mine }), 422, 'too_many_photos', 'photo_ids');
  expectError(await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, photo_ids: [mine[0], mine[0]] }), 422, 'duplicate_photo', 'photo_ids[1]');
  expectError(await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, photo_ids: ['1'] }), 422, 'invalid_type', 'photo_ids[0]');
  assert.equal(count('SELECT count(*) FROM topic'), topics, 'no topic written');
  assert.equal(count(`SELECT count(*) FROM topic_photo WHERE topic_id IS NOT NULL AND id IN (${mine.join(',')})`), 0, 'no photo taken');

  let r = await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, photo_ids: [mine[1], mine[0]] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.photos.map((p) => p.id), [mine[0], mine[1]]);
  assert.deepEqual(r.body.photos.map((p) => p.url), [mine[0], mine[1]].map((id) => `/api/v1/topic-photos/${id}`));
  const topic = r.body.id;
  r = await api('GET', `/api/v1/topics/${topic}`, 'neighbour');
  assert.equal(r.status, 200);
  assert.equal(r.body.photos.length, 2);
  // a photo already on a topic goes on no other
  expectError(await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, photo_ids: [mine[0]] }), 422, 'unknown_photo', 'photo_ids[0]');
  // a topic without photos has an empty list
  r = await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, title: '快递柜太少' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.photos, []);
});

test('a topic\'s photos are seen by its community; a hidden topic\'s only by its author and staff', async () => {
  const id = (await upload('resident', PNG)).body.id;
  let r = await api('POST', '/api/v1/topics', 'resident', { ...TOPIC, title: '小区围墙破损', photo_ids: [id] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const topic = r.body.id;
  const url = `/api/v1/topic-photos/${id}`;
  for (const who of ['resident', 'neighbour', 'staff']) {
    r = await srv.api('GET', url, { token: tok[who] });
    assert.equal(r.status, 200, who);
    assert.equal(r.headers.get('content-type'), 'image/png');
  }
  r = await api('POST', `/api/v1/topics/${topic}/hide`, 'staff', { reason: '含住户门牌号' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await srv.api('GET', url, { token: tok.neighbour });
  assert.ok(r.status === 404 || r.status === 403, `the neighbour gets ${r.status}`);
  assert.equal((await api('GET', `/api/v1/topics/${topic}`, 'neighbour')).status, 404);
  assert.equal((await srv.api('GET', url, { token: tok.resident })).status, 200, 'her own');
  assert.equal((await srv.api('GET', url, { token: tok.staff })).status, 200, 'staff');
  // shown again: the neighbour sees it again
  r = await api('POST', `/api/v1/topics/${topic}/hide`, 'staff', { reason: null });
  assert.equal(r.status, 200);
  assert.equal((await srv.api('GET', url, { token: tok.neighbour })).status, 200);
  assert.equal((await srv.api('GET', '/api/v1/topic-photos/999999', { token: tok.resident })).status, 404);
});

test('a resident\'s list of votes says whether she may vote and what she chose; topics name their building and 单元', async () => {
  let r = await api('GET', '/api/v1/votes', 'resident');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const lift = r.body.items.find((v) => v.lift_id);
  assert.ok(lift, 'the demo lift vote is in her list');
  assert.deepEqual(lift.mine, { may_vote: true, choice: null, receipt: null }, 'the demo leaves her lift vote to her');
  r = await api('POST', `/api/v1/votes/${lift.id}/ballots`, 'resident', { choice: 'abstain' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('GET', '/api/v1/votes', 'resident');
  assert.deepEqual(r.body.items.find((v) => v.id === lift.id).mine, { may_vote: true, choice: 'abstain', receipt: r.body.items.find((v) => v.id === lift.id).mine.receipt });
  assert.match(r.body.items.find((v) => v.id === lift.id).mine.receipt, /^[2-9A-Z]{12}$/);
  r = await api('GET', '/api/v1/votes', 'staff');
  assert.ok(r.body.items.every((v) => !('mine' in v)), 'staff have no "mine"');
  r = await api('GET', '/api/v1/topics', 'resident');
  const liftTopic = r.body.items.find((t) => t.scope === 'unit');
  assert.ok(liftTopic, 'the demo topic of the 单元');
  assert.equal(typeof liftTopic.building_id, 'number');
  assert.equal(liftTopic.unit, 1);
  assert.ok(r.body.items.filter((t) => t.scope === 'community').every((t) => t.building_id === null && t.unit === null));
});
