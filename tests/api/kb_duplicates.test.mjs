/*
 * The knowledge base's near-duplicate finder and merge (issue 14): two
 * entries that ask the same thing are found, and merged into one that keeps
 * both questions as phrasings; what the removed one answered counts for the
 * kept one; bad requests change nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMUNITY, dbSql, startServer } from '../lib/server.mjs';
import { expectError } from '../lib/check.mjs';

let srv, staff, admin, resident;
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, token, body) => srv.api(method, p, { token, body });

before(async () => {
  srv = await startServer({ demo: true, residents: 200 });
  staff = (await srv.login('staff')).token;
  admin = (await srv.login('admin')).token;
  resident = (await srv.login('resident')).token;
});
after(async () => { await srv.stop(); });

async function entry(body, token = staff) {
  const r = await api('POST', '/api/v1/kb/entries', token, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

test('two entries asking the same thing are found, and merged into one that keeps both questions', async () => {
  const a = await entry({ section: '便民服务', question: '小区的旧衣物回收箱在哪里？', answer: '旧衣物回收箱在3号楼东侧自行车棚旁。', alternatives: ['旧衣服放哪里回收'], keywords: '旧衣 回收箱' });
  const b = await entry({ section: '便民服务', question: '小区旧衣物回收箱放在哪里？', answer: '3号楼东侧有旧衣物回收箱，每周二清运。', keywords: '旧衣物，清运' });
  const other = await entry({ section: '便民服务', question: '社区图书室周末开门吗？', answer: '周六周日九点到五点开放。' });

  let r = await api('GET', '/api/v1/kb/duplicates', staff);
  assert.equal(r.status, 200);
  const pair = r.body.items.find((p) => [p.a.id, p.b.id].sort().join() === [a.id, b.id].sort().join());
  assert.ok(pair, 'the pair is found');
  assert.equal(pair.mergeable, true, 'both are her community\'s');
  assert.ok(pair.similarity >= r.body.min && pair.similarity <= 1);
  assert.ok(r.body.items.every((p) => p.a.id !== other.id && p.b.id !== other.id), 'an entry on something else is not');
  for (let i = 1; i < r.body.items.length; i++)
    assert.ok(r.body.items[i - 1].similarity >= r.body.items[i].similarity, 'most alike first');
  /* entries for everyone are the administrator's to merge */
  assert.ok(r.body.items.filter((p) => p.a.scope === '').every((p) => p.mergeable === false));
  /* a section filter keeps to it */
  r = await api('GET', `/api/v1/kb/duplicates?section=${encodeURIComponent('社区党建')}&min=30`, staff);
  assert.ok(r.body.items.every((p) => p.a.section === '社区党建' && p.b.section === '社区党建'));

  /* a question b answered before the merge */
  const asked = await api('POST', '/api/v1/assistant/ask', resident, { question: b.question });
  assert.equal(asked.body.entry_id, b.id);

  const auditBefore = Number(sql(`SELECT count(*) FROM audit WHERE action = 'kb.merge'`));
  r = await api('POST', '/api/v1/kb/merge', staff, { keep: a.id, remove: b.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.id, a.id);
  assert.equal(r.body.answer, a.answer, 'the kept answer stays');
  assert.deepEqual(r.body.alternatives, ['旧衣服放哪里回收', b.question]);
  assert.deepEqual(r.body.keywords.split(' '), ['旧衣', '回收箱', '旧衣物', '清运']);
  assert.equal((await api('GET', `/api/v1/kb/entries/${b.id}`, staff)).status, 404);
  assert.equal(Number(sql(`SELECT count(*) FROM assistant_question WHERE entry_id = '${b.id}'`)), 0);
  assert.ok(Number(sql(`SELECT count(*) FROM assistant_question WHERE entry_id = '${a.id}'`)) >= 1, 'its questions count for the kept one');
  assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action = 'kb.merge'`)), auditBefore + 1);

  /* the removed entry's question is answered by the kept one at once */
  const after = await api('POST', '/api/v1/assistant/ask', resident, { question: b.question });
  assert.equal(after.body.answered, true);
  assert.equal(after.body.entry_id, a.id);
  /* and they are no longer a pair */
  r = await api('GET', '/api/v1/kb/duplicates?min=30', staff);
  assert.ok(r.body.items.every((p) => p.a.id !== b.id && p.b.id !== b.id));
});

test('bad requests are refused with the field named, and change nothing', async () => {
  const a = await entry({ section: '便民服务', question: '社区快递驿站几点关门？', answer: '晚上八点。' });
  const b = await entry({ section: '便民服务', question: '快递驿站晚上几点关门？', answer: '20:00。' });
  const global = (await api('GET', '/api/v1/kb/entries?per_page=2', admin)).body.items.filter((e) => e.scope === '');
  const before = sql(`SELECT count(*), sum(length(alternatives)) FROM kb_entry`);

  expectError(await api('POST', '/api/v1/kb/merge', staff, { keep: a.id }), 422, 'missing_field', 'remove');
  expectError(await api('POST', '/api/v1/kb/merge', staff, { keep: a.id, remove: 7 }), 422, 'invalid_type', 'remove');
  expectError(await api('POST', '/api/v1/kb/merge', staff, { keep: a.id, remove: b.id, why: 'x' }), 422, 'unknown_field', 'why');
  expectError(await api('POST', '/api/v1/kb/merge', staff, { keep: a.id, remove: a.id }), 422, 'same_entry', 'remove');
  expectError(await api('POST', '/api/v1/kb/merge', staff, { keep: a.id, remove: 'K999999' }), 422, 'unknown_entry', 'remove');
  expectError(await api('POST', '/api/v1/kb/merge', staff, { keep: 'K999999', remove: a.id }), 422, 'unknown_entry', 'keep');
  expectError(await api('POST', '/api/v1/kb/merge', staff, { keep: a.id, remove: global[0].id }), 422, 'different_scope', 'remove');
  assert.equal((await api('POST', '/api/v1/kb/merge', staff, { keep: global[0].id, remove: global[1].id })).status, 403);
  assert.equal((await api('POST', '/api/v1/kb/merge', resident, { keep: a.id, remove: b.id })).status, 403);
  const bad = await srv.api('POST', '/api/v1/kb/merge', { token: staff, raw: '{"keep":', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400);
  for (const q of ['min=10', 'min=x', 'limit=0'])
    assert.equal((await api('GET', `/api/v1/kb/duplicates?${q}`, staff)).status, 400, q);
  assert.equal((await api('GET', '/api/v1/kb/duplicates', resident)).status, 403);
  assert.equal(sql(`SELECT count(*), sum(length(alternatives)) FROM kb_entry`), before, 'nothing written');
  assert.equal(sql(`SELECT count(*) FROM kb_entry WHERE scope = '${COMMUNITY}' AND id IN ('${a.id}', '${b.id}')`), '2');
});
