// The assistant's staff loop end to end: a multi-threaded server follows every
// change to an entry at once; a resident hands a question to a person (转人工);
// staff turn a group of questions into a new entry or into another phrasing of
// one, after which asking gets that entry; statistics by day and section; the
// index built at start; xlsx import.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, linli, COMMUNITY, dbSql, sqlHex } from '../lib/server.mjs';
import { sheet } from '../lib/xlsx.mjs';

const UNKNOWN = '这个问题我还不会，已转给社区工作人员';
let srv, resident, staff, admin;
const sql = (q) => dbSql(srv.db, q).trim();
const ask = (question, token = resident) => srv.api('POST', '/api/v1/assistant/ask', { token, body: { question } });
const groups = async () => (await srv.api('GET', '/api/v1/assistant/unanswered', { token: staff })).body.items;

before(async () => {
  srv = await startServer({ demo: true, residents: 200, extraArgs: ['--threads', '4', '--log-level', 'info'] });
  resident = (await srv.login('resident')).token;
  staff = (await srv.login('staff')).token;
  admin = (await srv.login('admin')).token;
});
after(async () => { await srv.stop(); });

test('the index is built when the server starts, without a question', async () => {
  // in the background: the server answers before it is done
  for (let i = 0; i < 300 && !/assistant index built/.test(srv.stderr()); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.match(srv.stderr(), /assistant index built/);
  assert.doesNotMatch(srv.stderr(), /assistant\/ask/, 'no question was asked to build it');
  // the demo's sample knowledge base goes: these tests make their own entries
  sql('DELETE FROM kb_entry; UPDATE kb_state SET version = version + 1');
  // and its months of questions: these tests count their own (the demo's 转人工 stays)
  sql('DELETE FROM assistant_question WHERE handoff_at IS NULL');
});

test('every worker thread sees a created, edited and deleted entry at once', async () => {
  const many = (q) => Promise.all(Array.from({ length: 24 }, () => ask(q)));
  let r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body: {
    section: '便民服务', question: '社区缝纫机可以借用吗？', answer: '可以，在居委会一楼登记借用。' } });
  assert.equal(r.status, 201);
  const id = r.body.id;
  for (const a of await many('缝纫机能借吗')) {
    assert.equal(a.status, 200);
    assert.equal(a.body.entry_id, id);
    assert.equal(a.body.answer, '可以，在居委会一楼登记借用。');
  }
  r = await srv.api('PATCH', `/api/v1/kb/entries/${id}`, { token: staff, body: { answer: '缝纫机正在维修，暂停借用。' } });
  assert.equal(r.status, 200);
  for (const a of await many('缝纫机能借吗'))
    assert.equal(a.body.answer, '缝纫机正在维修，暂停借用。');
  r = await srv.api('DELETE', `/api/v1/kb/entries/${id}`, { token: staff });
  assert.equal(r.status, 200);
  for (const a of await many('缝纫机能借吗'))
    assert.notEqual(a.body.entry_id, id);
});

test('转人工: the resident leaves her contact; staff see it masked, in full only when they ask', async () => {
  const q = await ask('小区里的流浪猫谁来管');
  assert.equal(q.body.answered, false);
  const qid = q.body.question_id;
  const handoffs = () => sql('SELECT count(*) FROM assistant_question WHERE handoff_at IS NOT NULL');
  const before = handoffs();
  for (const [body, status, code, field] of [
    [{ question_id: qid, name: '王阿姨' }, 422, 'missing_field', 'phone'],
    [{ question_id: qid, name: '王阿姨', phone: '12345' }, 422, 'invalid_phone', 'phone'],
    [{ question_id: qid, phone: '13912345678' }, 422, 'missing_field', 'name'],
    [{ question_id: qid, name: '王阿姨', phone: '13912345678', email: 'x' }, 422, 'unknown_field', 'email'],
    [{ question_id: 99999999, name: '王阿姨', phone: '13912345678' }, 404, 'not_found', 'question_id'],
  ]) {
    const r = await srv.api('POST', '/api/v1/assistant/handoff', { token: resident, body });
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
  }
  assert.equal(handoffs(), before, 'nothing written');
  let r = await srv.api('POST', '/api/v1/assistant/handoff', { token: staff, body: { question_id: qid, name: '王', phone: '13912345678' } });
  assert.equal(r.status, 404, 'not her question');

  r = await srv.api('POST', '/api/v1/assistant/handoff', { token: resident, body: { question_id: qid, name: '王阿姨', phone: '13912345678', note: '下午在家' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.phone, '139****5678');
  assert.match(r.body.next, /回电/);
  assert.doesNotMatch(sql(`SELECT ${sqlHex('handoff_phone_enc')} FROM assistant_question WHERE id = ${qid}`), /3133393132333435363738/, 'sealed at rest');

  r = await srv.api('GET', '/api/v1/assistant/handoffs', { token: staff });
  assert.equal(r.status, 200);
  const mine = r.body.items.find((h) => h.question_id === qid);
  assert.deepEqual([mine.name, mine.phone, mine.note, mine.asked], ['王阿姨', '139****5678', '下午在家', '小区里的流浪猫谁来管']);
  const audits = Number(sql("SELECT count(*) FROM audit WHERE action = 'assistant.handoffs_view_full'"));
  r = await srv.api('GET', '/api/v1/assistant/handoffs?reveal=1', { token: staff });
  assert.equal(r.body.items.find((h) => h.question_id === qid).phone, '13912345678');
  assert.equal(Number(sql("SELECT count(*) FROM audit WHERE action = 'assistant.handoffs_view_full'")), audits + 1);
  r = await srv.api('GET', '/api/v1/assistant/handoffs?reveal=1', { token: (await srv.login('street')).token });
  assert.equal(r.status, 403);
  r = await srv.api('GET', '/api/v1/assistant/handoffs', { token: resident });
  assert.equal(r.status, 403);

  const g = (await groups()).find((x) => x.question_ids.includes(qid));
  assert.equal(g.handoffs, 1);
});

test('a group of unanswered questions becomes a new entry in one click, and asking then gets it', async () => {
  for (const q of ['电梯年检是什么时候', '电梯年检什么时候', '电梯年检是哪天']) {
    const r = await ask(q);
    assert.equal(r.body.answered, false, q);
    assert.equal(r.body.answer, UNKNOWN);
  }
  const g = (await groups()).find((x) => x.question.includes('电梯年检'));
  assert.equal(g.count, 3);
  assert.equal(g.unanswered, 3);
  const entries = () => sql('SELECT count(*) FROM kb_entry');
  const n = entries();

  for (const [body, code, field] of [
    [{ entry: { section: '物业服务', question: 'q', answer: 'a' } }, 'missing_field', 'question_ids'],
    [{ question_ids: [], entry: { section: '物业服务', question: 'q', answer: 'a' } }, 'invalid_length', 'question_ids'],
    [{ question_ids: ['x'], entry: { section: '物业服务', question: 'q', answer: 'a' } }, 'invalid_type', 'question_ids[0]'],
    [{ question_ids: g.question_ids }, 'missing_field', 'entry'],
    [{ question_ids: g.question_ids, entry: { section: '物业服务', question: 'q' } }, 'missing_field', 'answer'],
  ]) {
    const r = await srv.api('POST', '/api/v1/assistant/unanswered/entry', { token: staff, body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
  }
  assert.equal(entries(), n);

  let r = await srv.api('POST', '/api/v1/assistant/unanswered/entry', { token: staff, body: {
    question_ids: g.question_ids,
    entry: { section: '物业服务', question: '小区电梯什么时候年检？', answer: '每年五月由物业安排年检，提前一周张贴通知。', alternatives: g.examples } } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  assert.equal(r.body.scope, COMMUNITY);
  assert.ok(!(await groups()).some((x) => x.question.includes('电梯年检')), 'the group is gone from the list');
  assert.equal(sql(`SELECT count(*) FROM assistant_question WHERE resolved_entry = '${id}'`), '3');

  r = await ask('电梯年检是什么时候');
  assert.equal(r.body.answered, true);
  assert.equal(r.body.entry_id, id);

  // the same group again: already dealt with, nothing written
  r = await srv.api('POST', '/api/v1/assistant/unanswered/entry', { token: staff, body: {
    question_ids: g.question_ids, entry: { section: '物业服务', question: '重复', answer: '重复' } } });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'already_resolved');
  assert.equal(entries(), String(Number(n) + 1));
});

test('a group becomes another phrasing of an existing entry', async () => {
  let r = await srv.api('POST', '/api/v1/kb/entries', { token: staff, body: {
    section: '便民服务', question: '社区有没有代收快递的地方？', answer: '居委会旁的驿站代收快递。' } });
  const id = r.body.id;
  r = await srv.api('POST', '/api/v1/kb/entries', { token: admin, body: {
    section: '便民服务', question: '别的社区的快递点在哪？', answer: '在那个社区的驿站。', scope: '310105004018' } });
  const elsewhere = r.body.id;
  const asked = '包裹没人在家能放哪';
  const first = await ask(asked);
  assert.notEqual(first.body.entry_id, id);
  const g = (await groups()).find((x) => x.question === asked);
  assert.ok(g, 'filed for the staff');

  for (const [body, status, code, field] of [
    [{ question_ids: g.question_ids, entry_id: 'NOPE', phrasing: asked }, 422, 'unknown_entry', 'entry_id'],
    [{ question_ids: g.question_ids, entry_id: id }, 422, 'missing_field', 'phrasing'],
    [{ question_ids: g.question_ids, entry_id: id, phrasing: '😀😀' }, 422, 'no_text', 'phrasing'],
    [{ question_ids: g.question_ids, entry_id: elsewhere, phrasing: asked }, 422, 'unknown_entry', 'entry_id'],
  ]) {
    r = await srv.api('POST', '/api/v1/assistant/unanswered/alternative', { token: staff, body });
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
  }
  r = await srv.api('POST', '/api/v1/assistant/unanswered/alternative', { token: staff, body: { question_ids: g.question_ids, entry_id: id, phrasing: asked } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.alternatives, [asked]);
  r = await ask(asked);
  assert.equal(r.body.entry_id, id);
  assert.equal(r.body.answered, true);
  r = await srv.api('POST', '/api/v1/assistant/unanswered/alternative', { token: resident, body: { question_ids: g.question_ids, entry_id: id, phrasing: asked } });
  assert.equal(r.status, 403);
});

test('statistics by day and by section', async () => {
  /* a question near an entry (快递) that it does not answer: the resident gets choices */
  const near = await ask('快递员态度很差，经常把件放门口，丢了也不管，我找谁');
  assert.equal(near.body.answered, false, 'precondition: near an entry, not answered by it');
  assert.ok(near.body.suggestions.length > 0);
  const r = await srv.api('GET', '/api/v1/assistant/stats?days=7', { token: staff });
  assert.equal(r.status, 200);
  assert.equal(r.body.by_day.length, 7);
  const today = r.body.by_day[6];
  const asked = Number(sql(`SELECT count(*) FROM assistant_question WHERE community = '${COMMUNITY}'`));
  assert.equal(r.body.totals.asked, asked);
  assert.equal(today.asked, asked);
  assert.equal(r.body.totals.answered, Number(sql(`SELECT count(*) FROM assistant_question WHERE community = '${COMMUNITY}' AND answered = 1`)));
  assert.equal(r.body.totals.handoffs, Number(sql(`SELECT count(*) FROM assistant_question WHERE community = '${COMMUNITY}' AND handoff_at IS NOT NULL`)));
  const none = r.body.by_section.find((s) => s.section === null);
  assert.equal(none.asked, asked - r.body.totals.answered);
  assert.ok(r.body.by_section.some((s) => s.section === '物业服务' && s.asked >= 1));
  assert.equal(r.body.by_section.reduce((t, s) => t + s.asked, 0), asked);
  /* sections: by the entry ranked first, answered or not, with how each question ended */
  const rows = sql(`SELECT CASE WHEN q.entry_id IS NULL THEN '' WHEN e.id IS NULL THEN 'removed' ELSE e.section END, q.answered, CASE WHEN q.entry_id IS NULL THEN 0 ELSE 1 END, CASE WHEN q.handoff_at IS NULL THEN 0 ELSE 1 END
    FROM assistant_question q LEFT JOIN kb_entry e ON e.id = q.entry_id WHERE q.community = '${COMMUNITY}'`).split('\n').filter(Boolean).map((l) => l.split('|'));
  const want = {};
  for (const [section, answered, near, handoff] of rows) {
    const w = (want[section || 'null'] ??= { asked: 0, answered: 0, suggested: 0, handoffs: 0 });
    w.asked++;
    if (answered === '1') w.answered++;
    else if (near === '1') w.suggested++;
    if (handoff === '1') w.handoffs++;
  }
  const got = Object.fromEntries(r.body.sections.map((x) => [x.section ?? (x.removed ? 'removed' : 'null'), { asked: x.asked, answered: x.answered, suggested: x.suggested, handoffs: x.handoffs }]));
  assert.deepEqual(got, want);
  assert.ok(r.body.sections.some((x) => x.suggested > 0), 'some questions got only suggestions');
  assert.ok(r.body.sections.some((x) => x.section && x.answered > 0));
  for (const q of ['days=0', 'days=400', 'days=x'])
    assert.equal((await srv.api('GET', `/api/v1/assistant/stats?${q}`, { token: staff })).status, 400, q);
  assert.equal((await srv.api('GET', '/api/v1/assistant/stats?community=310105004018', { token: staff })).status, 403);
  assert.equal((await srv.api('GET', '/api/v1/assistant/stats', { token: resident })).status, 403);
  const all = await srv.api('GET', '/api/v1/assistant/stats', { token: admin });
  assert.equal(all.body.by_day.length, 30);
  assert.ok(all.body.totals.asked >= asked);
});

test('kb import reads an xlsx sheet: Chinese headers, serial dates, broken rows reported', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-kbx-'));
  const db = path.join(dir, 'kb.db');
  const file = path.join(dir, 'kb.xlsx');
  writeFileSync(file, sheet([
    ['编号', '栏目', '问题', '回答', '其他问法', '有效期至'],
    ['X1', '便民服务', '快递放哪里取？', '小区东门快递柜。', '快递柜在哪|取件码丢了', 47848],
    ['X2', '便民服务', '', '缺问题'],
    [],
    ['X3', '教育托育', '幼儿园怎么报名？', '看区教育局通知。', '', '2030-13-40'],
    ['X4', '教育托育', '托班几岁能上？', '两岁到三岁。'],
  ]));
  try {
    const out = linli(['kb', 'import', '--db', db, file]);
    assert.match(out, /imported 2 of 4 entries/);
    assert.match(out, /line 3: question: .*missing_field/);
    assert.match(out, /line 5: valid_until: .*invalid_date/);
    const row = dbSql(db, "SELECT valid_until, alternatives FROM kb_entry WHERE id = 'X1'").trim();
    assert.equal(row, '2030-12-31|["快递柜在哪","取件码丢了"]');
    writeFileSync(file, 'not a zip');
    assert.throws(() => linli(['kb', 'import', '--db', db, file]), /Excel/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
