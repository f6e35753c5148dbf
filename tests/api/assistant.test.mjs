// The assistant end to end: the knowledge base imported while serving, answers
// and "I don't know", feedback, the staff's unanswered groups, entries and
// synonyms changed without a restart, scope, bad input, and the CLI.
//
// The sample knowledge base is the repository's data/faq/kb.jsonl, which
// `linli demo` loads (compiled into the binary).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { startServer, linli, BIN, ROOT, COMMUNITY, dbSql } from '../lib/server.mjs';

const KB = path.join(ROOT, 'data', 'faq', 'kb.jsonl');
const UNKNOWN = '这个问题我还不会，已转给社区工作人员';
const OTHER_COMMUNITY = '310105004018';

let srv, resident, staff, admin, street;
const sql = (q) => dbSql(srv.db, q).trim();
const questions = () => Number(sql('SELECT count(*) FROM assistant_question'));
const ask = (question, token = resident) => srv.api('POST', '/api/v1/assistant/ask', { token, body: { question } });

before(async () => {
  srv = await startServer({ demo: true, residents: 200 });
  resident = (await srv.login('resident')).token;
  staff = (await srv.login('staff')).token;
  admin = (await srv.login('admin')).token;
  street = (await srv.login('street')).token;
});
after(async () => { await srv.stop(); });

test('a demo database answers from the sample knowledge base', async () => {
  // the sample, plus the entries that answer from the asker's community (ids "S-…")
  assert.equal(sql("SELECT count(*) FROM kb_entry WHERE id NOT LIKE 'S-%'"), String(readFileSync(KB, 'utf8').trim().split('\n').length));
  const r = await ask('低保怎么申请');
  assert.equal(r.status, 200);
  assert.equal(r.body.answered, true);
  assert.ok(['K092', 'K101'].includes(r.body.entry_id), r.body.entry_id);
  assert.equal(r.body.answer, sql(`SELECT answer FROM kb_entry WHERE id = '${r.body.entry_id}'`));
  // then the knowledge base is emptied behind the server's back (another process): seen at once
  sql('DELETE FROM kb_entry; UPDATE kb_state SET version = version + 1');
});

test('with an empty knowledge base the assistant says it does not know', async () => {
  const r = await ask('低保怎么申请');
  assert.equal(r.status, 200);
  assert.equal(r.body.answered, false);
  assert.equal(r.body.entry_id, null);
  assert.equal(r.body.answer, UNKNOWN);
  assert.deepEqual(r.body.suggestions, []);
  assert.ok(r.body.question_id > 0);
});

test('entries imported while serving are used at once, with the file\'s ids', async () => {
  const out = linli(['kb', 'import', '--db', srv.db, KB]);
  assert.match(out, /imported 300 of 300 entries/);
  assert.equal(sql("SELECT question FROM kb_entry WHERE id = 'K092'"), '家里生活困难，低保怎么申请？');
  const r = await ask('低保怎么申请');
  assert.equal(r.status, 200);
  assert.equal(r.body.answered, true);
  assert.ok(['K092', 'K101'].includes(r.body.entry_id), r.body.entry_id);
  assert.equal(r.body.answer, sql(`SELECT answer FROM kb_entry WHERE id = '${r.body.entry_id}'`));
  assert.equal(r.body.generated, false, 'generation is off by default');
  assert.ok(r.body.score >= 0 && r.body.score <= 1);
  assert.equal(r.body.suggestions.length, 3);
  for (const s of r.body.suggestions) {
    assert.match(s.entry_id, /^K\d{3}$/);
    assert.notEqual(s.entry_id, r.body.entry_id);
    assert.ok(s.question.length > 0);
  }
});

test('residents type colloquially, in Traditional characters, with typos and pinyin', async () => {
  for (const [q, ids] of [
    ['醫保卡丟了怎麼補辦', ['K060', 'K152']],
    ['狂犬疫苗去哪打', ['K139']],
    ['dibao jin 什么时候发', ['K123']],
    ['底保复核要准备什么材料', ['K102']],
  ]) {
    const r = await ask(q);
    assert.equal(r.status, 200);
    assert.ok(ids.includes(r.body.entry_id), `${q}: ${JSON.stringify(r.body)}`);
  }
});

test('what it cannot answer is filed for the staff, alike questions grouped', async () => {
  for (const q of ['明天会下雨吗', '明天会下雨吗？', '明天下雨吗', '附近哪家火锅好吃']) {
    const r = await ask(q);
    assert.equal(r.body.answered, false, q);
    assert.equal(r.body.answer, UNKNOWN);
  }
  const r = await srv.api('GET', '/api/v1/assistant/unanswered', { token: staff });
  assert.equal(r.status, 200);
  const rain = r.body.items.find((g) => g.question.includes('下雨'));
  assert.ok(rain, JSON.stringify(r.body.items));
  assert.equal(rain.count, 3);
  assert.equal(rain.question_ids.length, 3);
  assert.ok(rain.examples.includes('明天下雨吗'));
  assert.ok(r.body.items.indexOf(rain) < r.body.items.findIndex((g) => g.question.includes('火锅')));
  const denied = await srv.api('GET', '/api/v1/assistant/unanswered', { token: resident });
  assert.equal(denied.status, 403);
  const outside = await srv.api('GET', `/api/v1/assistant/unanswered?community=${OTHER_COMMUNITY}`, { token: staff });
  assert.equal(outside.status, 403);
  const streetView = await srv.api('GET', '/api/v1/assistant/unanswered', { token: street });
  assert.equal(streetView.status, 200);
  assert.ok(streetView.body.items.some((g) => g.question.includes('下雨')));
});

test('a resident rates her own answers; unhelpful ones reach the staff', async () => {
  const a = await ask('狂犬疫苗去哪打');
  let r = await srv.api('POST', '/api/v1/assistant/feedback', { token: resident, body: { question_id: a.body.question_id, helpful: false } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { question_id: a.body.question_id, helpful: false });
  assert.equal(sql(`SELECT helpful FROM assistant_question WHERE id = ${a.body.question_id}`), '0');
  r = await srv.api('GET', '/api/v1/assistant/unanswered', { token: staff });
  assert.ok(r.body.items.some((g) => g.question_ids.includes(a.body.question_id)));
  // someone else's question, an unknown one, and bad bodies
  r = await srv.api('POST', '/api/v1/assistant/feedback', { token: staff, body: { question_id: a.body.question_id, helpful: true } });
  assert.equal(r.status, 404);
  r = await srv.api('POST', '/api/v1/assistant/feedback', { token: resident, body: { question_id: 99999999, helpful: true } });
  assert.equal(r.status, 404);
  for (const [body, code, field] of [
    [{ question_id: a.body.question_id }, 'missing_field', 'helpful'],
    [{ question_id: a.body.question_id, helpful: 'yes' }, 'invalid_type', 'helpful'],
    [{ question_id: 'x', helpful: true }, 'invalid_type', 'question_id'],
    [{ question_id: a.body.question_id, helpful: true, why: 'x' }, 'unknown_field', 'why'],
  ]) {
    r = await srv.api('POST', '/api/v1/assistant/feedback', { token: resident, body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
  }
});

test('grouping weighs words by how rare they are in the knowledge base: 低保 and 医保 stay apart', async () => {
  const ids = {};
  for (const q of ['低保怎么申请', '医保怎么申请', '低保如何申请呀', '医疗保险怎么报销', '医保怎么报销']) {
    const a = await ask(q);
    assert.equal(a.status, 200);
    ids[q] = a.body.question_id;
    // answered or not, a question marked unhelpful is filed for the staff
    if (a.body.answered)
      assert.equal((await srv.api('POST', '/api/v1/assistant/feedback', { token: resident, body: { question_id: ids[q], helpful: false } })).status, 200);
  }
  const r = await srv.api('GET', '/api/v1/assistant/unanswered', { token: staff });
  assert.equal(r.status, 200);
  const groupOf = (q) => r.body.items.find((g) => g.question_ids.includes(ids[q]));
  for (const q of Object.keys(ids)) assert.ok(groupOf(q), q);
  // same subject, put differently: one group
  assert.equal(groupOf('低保怎么申请'), groupOf('低保如何申请呀'));
  // 医疗保险 is 医保 (a synonym): one group
  assert.equal(groupOf('医疗保险怎么报销'), groupOf('医保怎么报销'));
  // the same way of asking (怎么申请) about different things: apart
  assert.notEqual(groupOf('低保怎么申请'), groupOf('医保怎么申请'));
  assert.notEqual(groupOf('医保怎么申请'), groupOf('医保怎么报销'));
});

const badQuestions = [
  // [description, request, status, code]
  ['empty', { body: { question: '' } }, 422, 'empty_question'],
  ['spaces only', { body: { question: '   \t ' } }, 422, 'empty_question'],
  ['ideographic spaces only', { body: { question: '\u3000\u3000' } }, 422, 'empty_question'],
  ['missing', { body: {} }, 422, 'empty_question'],
  ['null', { body: { question: null } }, 422, 'empty_question'],
  ['a number', { body: { question: 42 } }, 422, 'invalid_type'],
  ['501 characters', { body: { question: '问'.repeat(501) } }, 422, 'question_too_long'],
  ['emoji only', { body: { question: '😀🙏👍' } }, 422, 'no_text'],
  ['punctuation only', { body: { question: '？？！！。' } }, 422, 'no_text'],
  ['a control character', { body: { question: '低保\u0007怎么办' } }, 422, 'invalid_text'],
  ['a NUL inside', { raw: '{"question":"低保\\u0000怎么办"}', headers: { 'Content-Type': 'application/json' } }, 400, 'malformed_json'],
  ['an unknown field', { body: { question: '低保', lang: 'zh' } }, 422, 'unknown_field'],
  ['invalid UTF-8', { raw: Buffer.concat([Buffer.from('{"question":"'), Buffer.from([0xe4, 0xbd, 0xff]), Buffer.from('"}')]), headers: { 'Content-Type': 'application/json' } }, 400, 'invalid_encoding'],
  ['malformed JSON', { raw: '{"question":', headers: { 'Content-Type': 'application/json' } }, 400, 'malformed_json'],
  ['not an object', { raw: '["低保"]', headers: { 'Content-Type': 'application/json' } }, 400, 'expected_object'],
];

for (const [desc, req, status, code] of badQuestions) {
  test(`POST /assistant/ask: ${desc}`, async () => {
    const before = questions();
    const r = await srv.api('POST', '/api/v1/assistant/ask', { token: resident, ...req });
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
    assert.equal(questions(), before, 'nothing recorded');
  });
}

test('500 characters is still a question, and the server is still up', async () => {
  const r = await ask('我想问一下低保的事情'.repeat(50));
  assert.equal(r.status, 200);
  const h = await srv.api('GET', '/api/v1/health');
  assert.equal(h.status, 200);
});

test('asking needs a session', async () => {
  const r = await srv.api('POST', '/api/v1/assistant/ask', { body: { question: '低保' } });
  assert.equal(r.status, 401);
});

test('staff keep entries; the assistant follows every change without a restart', async () => {
  const question = '社区图书室周末几点开门？';
  let r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body: {
    section: '便民服务', question, answer: '图书室周六周日上午九点到下午五点开放。',
    alternatives: ['周末能去图书室看书吗'], keywords: '图书室 阅览室' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  assert.match(id, /^K\d{3,}$/);
  assert.equal(r.body.scope, COMMUNITY, 'a staff member\'s entry is for her community');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'kb.create'`), '1');

  r = await ask('图书室周末开不开');
  assert.equal(r.body.entry_id, id);
  assert.equal(r.body.answered, true);
  assert.equal(r.body.entry_question, question);

  r = await srv.api('PATCH', `/api/v1/kb/entries/${id}`, { token: staff, body: { answer: '图书室周末暂停开放。' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.question, question);
  r = await ask('图书室周末开不开');
  assert.equal(r.body.answer, '图书室周末暂停开放。');

  r = await srv.api('GET', `/api/v1/kb/entries?q=${encodeURIComponent('图书室')}`, { token: staff });
  assert.equal(r.status, 200);
  assert.ok(r.body.items.some((e) => e.id === id));
  r = await srv.api('GET', `/api/v1/kb/entries/${id}`, { token: staff });
  assert.deepEqual(r.body.alternatives, ['周末能去图书室看书吗']);

  r = await srv.api('DELETE', `/api/v1/kb/entries/${id}`, { token: staff });
  assert.equal(r.status, 200);
  r = await ask('图书室周末开不开');
  assert.notEqual(r.body.entry_id, id);
  r = await srv.api('GET', `/api/v1/kb/entries/${id}`, { token: staff });
  assert.equal(r.status, 404);
});

test('an entry for another community is not used for this one, nor shown to its staff', async () => {
  let r = await srv.api('POST', '/api/v1/kb/entries', { token: admin, body: {
    section: '便民服务', question: '社区羽毛球馆怎么预约？', answer: '在居委会前台登记预约。', scope: OTHER_COMMUNITY } });
  assert.equal(r.status, 201);
  const id = r.body.id;
  r = await ask('羽毛球馆怎么预约');
  assert.notEqual(r.body.entry_id, id);
  r = await srv.api('GET', `/api/v1/kb/entries/${id}`, { token: staff });
  assert.equal(r.status, 404);
  r = await srv.api('GET', `/api/v1/kb/entries/${id}`, { token: street });
  assert.equal(r.status, 200, 'within the street admin\'s street');
  // staff cannot create for another community, nor for everyone
  r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body: { section: 's', question: '问', answer: '答', scope: OTHER_COMMUNITY } });
  assert.equal(r.status, 403);
  r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body: { section: 's', question: '问', answer: '答', scope: '' } });
  assert.equal(r.status, 403);
  r = await srv.api('GET', '/api/v1/kb/entries', { token: resident });
  assert.equal(r.status, 403);
});

test('entries for everyone belong to the administrator', async () => {
  let r = await srv.api('PATCH', '/api/v1/kb/entries/K001', { token: staff, body: { keywords: '党员 转入' } });
  assert.equal(r.status, 403);
  r = await srv.api('PATCH', '/api/v1/kb/entries/K001', { token: admin, body: { keywords: '党员 转入' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.keywords, '党员 转入');
  r = await srv.api('PATCH', '/api/v1/kb/entries/K001', { token: admin, body: { id: 'K999' } });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'immutable_field');
  r = await srv.api('POST', '/api/v1/kb/entries', { token: admin, body: { id: 'K001', section: 's', question: '问', answer: '答' } });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'duplicate_id');
});

test('bad entries are refused with the field named, and nothing is written', async () => {
  const count = () => sql('SELECT count(*) FROM kb_entry');
  for (const [body, status, code, field] of [
    [{ section: '便民服务', question: '问' }, 422, 'missing_field', 'answer'],
    [{ section: '便民服务', question: '问', answer: '答', colour: 'red' }, 422, 'unknown_field', 'colour'],
    [{ section: '便民服务', question: '问', answer: '答', valid_until: '2030-13-01' }, 422, 'invalid_date', 'valid_until'],
    [{ section: '便民服务', question: '问', answer: '答', scope: '12345' }, 422, 'invalid_scope', 'scope'],
    [{ section: '便民服务', question: '问', answer: '答', alternatives: ['好', 5] }, 422, 'invalid_type', 'alternatives[1]'],
    [{ section: '便民服务', question: '问'.repeat(501), answer: '答' }, 422, 'too_long', 'question'],
    [{ id: '../x', section: '便民服务', question: '问', answer: '答' }, 422, 'invalid_id', 'id'],
  ]) {
    const before = count();
    const r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body });
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
    assert.equal(count(), before);
  }
  const r = await srv.api('PATCH', '/api/v1/kb/entries/NOPE', { token: staff, body: { answer: 'x' } });
  assert.equal(r.status, 404);
});

test('an expired entry is no longer used', async () => {
  let r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body: {
    section: '便民服务', question: '国庆节社区游园会在哪里举办？', answer: '在中心花园。', valid_until: '2020-10-07' } });
  assert.equal(r.status, 201);
  const id = r.body.id;
  r = await ask('国庆节社区游园会在哪里举办');
  assert.notEqual(r.body.entry_id, id);
  r = await srv.api('PATCH', `/api/v1/kb/entries/${id}`, { token: staff, body: { valid_until: null } });
  assert.equal(r.status, 200);
  r = await ask('国庆节社区游园会在哪里举办');
  assert.equal(r.body.entry_id, id);
});

test('the admin keeps the synonyms, and the assistant uses them at once', async () => {
  let r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body: {
    section: '便民服务', question: '社区的共享工具箱在哪里借？', answer: '在居委会一楼借用。' } });
  const id = r.body.id;
  const before = (await ask('公共工具柜在哪')).body;
  r = await srv.api('POST', '/api/v1/kb/synonyms', { token: admin, body: { term: '工具柜', canonical: '工具箱' } });
  assert.equal(r.status, 201);
  const synId = r.body.id;
  const after = (await ask('公共工具柜在哪')).body;
  assert.equal(after.entry_id, id);
  assert.ok(after.score > before.score);
  r = await srv.api('GET', '/api/v1/kb/synonyms', { token: staff });
  assert.ok(r.body.items.some((s) => s.term === '医疗保险' && s.canonical === '医保'), 'the seeded general vocabulary');
  r = await srv.api('POST', '/api/v1/kb/synonyms', { token: admin, body: { term: '工具柜', canonical: '柜子' } });
  assert.equal(r.status, 409);
  r = await srv.api('POST', '/api/v1/kb/synonyms', { token: admin, body: { term: '柜子', canonical: '柜子' } });
  assert.equal(r.status, 422);
  r = await srv.api('DELETE', `/api/v1/kb/synonyms/${synId}`, { token: admin });
  assert.equal(r.status, 200);
  // deleted: the next question is answered as before the synonym, without a restart
  const gone = (await ask('公共工具柜在哪')).body;
  assert.equal(gone.score, before.score);
  assert.equal(gone.entry_id, before.entry_id);
  r = await srv.api('DELETE', `/api/v1/kb/synonyms/${synId}`, { token: admin });
  assert.equal(r.status, 404);
  // edited (a synonym is changed by deleting and adding it): the new meaning is used at once
  r = await srv.api('POST', '/api/v1/kb/synonyms', { token: admin, body: { term: '工具柜', canonical: '工具箱' } });
  assert.equal(r.status, 201);
  assert.equal((await ask('公共工具柜在哪')).body.entry_id, id);
  r = await srv.api('DELETE', `/api/v1/kb/synonyms/${r.body.id}`, { token: admin });
  assert.equal(r.status, 200);
  const unedited = (await ask('公共借用点在哪')).body;
  r = await srv.api('POST', '/api/v1/kb/synonyms', { token: admin, body: { term: '借用点', canonical: '工具箱' } });
  assert.equal(r.status, 201);
  const edited = (await ask('公共借用点在哪')).body;
  assert.equal(edited.entry_id, id, JSON.stringify(edited));
  assert.ok(edited.score > unedited.score, `${edited.score} > ${unedited.score}`);
  assert.equal((await ask('公共工具柜在哪')).body.score, before.score);
  assert.equal((await srv.api('DELETE', `/api/v1/kb/synonyms/${r.body.id}`, { token: admin })).status, 200);
  for (const t of [resident, staff, street]) {
    r = await srv.api('POST', '/api/v1/kb/synonyms', { token: t, body: { term: 'a', canonical: 'b' } });
    assert.equal(r.status, 403);
  }
});

test('kb import reports broken lines and keeps the good ones; export reads back', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-kb-'));
  const db = path.join(dir, 'kb.db');
  const file = path.join(dir, 'kb.jsonl');
  writeFileSync(file, [
    JSON.stringify({ id: 'A1', section: '便民服务', question: '快递放哪里取？', answer: '小区东门快递柜。' }),
    '{"id": "A2", "section": ',
    JSON.stringify({ id: 'A3', section: '便民服务', question: '', answer: '答' }),
    '',
    JSON.stringify({ id: 'A1', section: '便民服务', question: '重复的编号', answer: '答' }),
    JSON.stringify({ section: '便民服务', question: '没有编号', answer: '答' }),
    JSON.stringify({ id: 'A4', section: '教育托育', question: '幼儿园怎么报名？', answer: '看区教育局通知。', alternatives: ['入园报名'], scope: COMMUNITY }),
    '[1, 2]',
  ].join('\n'));
  try {
    const out = linli(['kb', 'import', '--db', db, file]);
    assert.match(out, /imported 2 of 7 entries/);
    assert.match(out, /line 2: .*malformed_json/);
    assert.match(out, /line 3: question: .*missing_field/);
    assert.match(out, /line 5: id: .*duplicate_id/);
    assert.match(out, /line 6: id: .*missing_field/);
    assert.match(out, /line 8: .*expected_object/);
    const csv = path.join(dir, 'kb.csv');
    writeFileSync(csv, '编号,栏目,问题,回答,其他问法\nC1,便民服务,水费在哪交？,"线上或营业厅缴纳。",电费在哪交|燃气费在哪交\nC2,便民服务,,缺问题\n');
    assert.match(linli(['kb', 'import', '--db', db, csv]), /imported 1 of 2 entries/);
    const exported = path.join(dir, 'out.jsonl');
    /* with the entries every database has, that answer from the asker's community ("S-…") */
    const site = Number(execFileSync('sqlite3', [db, "SELECT count(*) FROM kb_entry WHERE id LIKE 'S-%'"], { encoding: 'utf8' }));
    assert.ok(site > 0);
    assert.match(linli(['kb', 'export', '--db', db, exported]), new RegExp(`exported ${3 + site} entries`));
    const all = readFileSync(exported, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const lines = all.filter((e) => !e.id.startsWith('S-'));
    assert.deepEqual(lines.map((e) => e.id), ['A1', 'A4', 'C1']);
    assert.deepEqual(lines[1].alternatives, ['入园报名']);
    assert.equal(lines[1].scope, COMMUNITY);
    assert.deepEqual(lines[2].alternatives, ['电费在哪交', '燃气费在哪交']);
    const again = linli(['kb', 'import', '--db', db, exported]);
    assert.match(again, new RegExp(`imported ${3 + site} of ${3 + site} entries`));
    const bad = spawnSync(BIN, ['kb', 'import', '--db', db, path.join(dir, 'nope.jsonl')], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('linli ask answers one JSON line per question line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-ask-'));
  const db = path.join(dir, 'kb.db');
  const file = path.join(dir, 'kb.jsonl');
  writeFileSync(file, [
    { id: 'A1', section: '便民服务', question: '快递放哪里取？', answer: '小区东门快递柜。' },
    { id: 'A2', section: '福利帮扶', question: '低保怎么申请？', answer: '到街道受理中心申请。' },
    { id: 'A3', section: '便民服务', question: '社区活动室怎么预约？', answer: '电话预约。' },
  ].map((e) => JSON.stringify(e)).join('\n'));
  try {
    linli(['kb', 'import', '--db', db, file]);
    const out = linli(['ask', '--db', db], { input: '低保咋申请\n明天会下雨吗\n\n😀\n' });
    const rows = out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 4);
    assert.deepEqual(Object.keys(rows[0]), ['answered', 'entry_id', 'score', 'top']);
    assert.equal(rows[0].answered, true);
    assert.equal(rows[0].entry_id, 'A2');
    assert.equal(rows[0].top[0], 'A2');
    assert.ok(rows[0].top.length <= 3);
    assert.equal(rows[1].answered, false);
    assert.equal(rows[1].entry_id, null);
    assert.equal(rows[2].error, 'empty_question');
    assert.equal(rows[3].error, 'no_text');
    /* --explain: what the decision weighs, per hit, best first, the top's score being the answer's */
    const [x] = linli(['ask', '--db', db, '--explain'], { input: '低保咋申请\n' }).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(x.top, rows[0].top);
    assert.equal(x.hits[0].id, 'A2');
    assert.equal(x.hits[0].section, '福利帮扶');
    for (const h of x.hits) {
      assert.ok(h.qc >= 0 && h.qc <= 1.0001 && h.dc >= 0 && h.dc <= 1.0001 && h.bm25 > 0, JSON.stringify(h));
      assert.ok(h.score >= 0 && h.score <= 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the default vocabulary joins the words residents say to the words entries write', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-vocab-'));
  const db = path.join(dir, 'kb.db');
  const file = path.join(dir, 'kb.jsonl');
  writeFileSync(file, [
    { id: 'V1', section: '养老助残', question: '我父母独居，我在外地工作，社区能定期去看看他们吗？', answer: '社区定期上门探访独居老人。' },
    { id: 'V2', section: '政策法规', question: '老板拖欠工资不给，该去哪里讨？', answer: '向劳动保障监察大队投诉。' },
    { id: 'V3', section: '便民服务', question: '身份证遗失了怎么补办？', answer: '到派出所补领。' },
    { id: 'V4', section: '健康医疗', question: '社区医院能预约挂号吗？', answer: '可以在手机上预约。' },
    { id: 'V5', section: '便民服务', question: '社区活动室怎么预约？', answer: '电话预约。' },
    { id: 'V6', section: '福利帮扶', question: '低保怎么申请？', answer: '到街道受理中心申请。' },
  ].map((e) => JSON.stringify(e)).join('\n'));
  const questions = ['老妈八十多了一个人住，社区能上门看看吗', '老板拖欠我几个月薪水了', '身份证弄丢了咋办'];
  const askAll = () => linli(['ask', '--db', db], { input: questions.join('\n') + '\n' })
    .trim().split('\n').map((l) => JSON.parse(l));
  try {
    linli(['kb', 'import', '--db', db, file]);
    const withVocab = askAll();
    assert.deepEqual(withVocab.map((r) => r.entry_id), ['V1', 'V2', 'V3'], JSON.stringify(withVocab));
    // the same questions without the pairs that carry them: the match is the vocabulary's doing
    dbSql(db, "DELETE FROM kb_synonym WHERE term IN ('老妈', '一个人住', '薪水', '弄丢', '遗失'); " +
      'UPDATE kb_state SET version = version + 1');
    const without = askAll();
    for (let i = 0; i < questions.length; i++)
      assert.ok(without[i].score < withVocab[i].score, `${questions[i]}: ${without[i].score} vs ${withVocab[i].score}`);
    // the pairs are staff-editable rows like any synonym, and general words
    const n = Number(dbSql(db, 'SELECT count(*) FROM kb_synonym'));
    assert.ok(n > 150 && n < 400, String(n));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help for the new commands', () => {
  for (const c of [['kb', 'import'], ['kb', 'export'], ['ask']]) {
    const r = spawnSync(BIN, [...c, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, c.join(' '));
    assert.match(r.stdout, /usage: linli/);
  }
});
