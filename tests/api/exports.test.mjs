// Exports of votes and funds as files (issues 16 and 17): a vote's result
// and signature list as PDF (core/pdf: cairo and Pango) or xlsx
// (core/sheet), for the vote's staff and the street, the result only after
// the close, a secret vote's list without choices, audited vote.export;
// the funds' applications and ledger as xlsx or CSV (audited
// funds.export), and a project's printable 公示 with a QR code linking
// to its H5 page. Run on the demo: a closed poll, an open lift vote, funds
// projects closed, approved and waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';
import { unzip } from '../lib/xlsx.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const OTHER = '310105004001'; // another community of the street
const DAY = 86400000;
let srv;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
const audits = (action) => count(`SELECT count(*) FROM audit WHERE action = '${action}'`);

let poll, lift; // the demo's closed poll and its open lift vote
let B; // the demo's 6-floor building

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
}

/* A whole PDF: its magic, its end, its page count, and its title in the metadata (UTF-16BE hex). */
function checkPdf(r, title) {
  assert.equal(r.status, 200, r.body && r.body.error ? JSON.stringify(r.body) : '');
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  const pdf = r.body;
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(pdf.subarray(-8).toString('latin1'), /%%EOF\s*$/);
  const pages = Number(/\/Type \/Pages[^>]*\/Count (\d+)/.exec(pdf.toString('latin1'))?.[1]);
  assert.ok(pages >= 1, 'a page tree with pages');
  const utf16 = Buffer.from(title, 'utf16le').swap16().toString('hex').toUpperCase();
  assert.ok(pdf.toString('latin1').includes(`/Title <FEFF${utf16}`), `the PDF is titled ${title}`);
  assert.ok(pdf.toString('latin1').includes('/Creator (linli)'));
  return { pages, text: pdf.toString('latin1') };
}

/* An xlsx's parts: workbook, shared strings, first sheet. */
function readXlsx(r) {
  assert.equal(r.status, 200, r.body && r.body.error ? JSON.stringify(r.body) : '');
  assert.equal(r.headers.get('content-type'), XLSX);
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const parts = unzip(r.body);
  assert.ok(parts['xl/workbook.xml'], 'a workbook');
  const strings = (parts['xl/sharedStrings.xml'] || Buffer.alloc(0)).toString('utf8');
  return { parts, strings, sheet: parts['xl/worksheets/sheet1.xml'].toString('utf8'), workbook: parts['xl/workbook.xml'].toString('utf8') };
}

const xmlEsc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const csvRows = (buf) => buf.toString('utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((l) => l.split(','));

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  for (const u of ['admin', 'staff', 'secretary', 'street', 'resident', 'property', 'grid']) tok[u] = (await srv.login(u)).token;
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', OTHER]);
  tok.farstaff = (await srv.login('farstaff')).token;
  poll = Number(sql("SELECT id FROM vote WHERE kind = 'poll' AND closed_at IS NOT NULL"));
  lift = Number(sql('SELECT vote_id FROM lift_project'));
  B = Number(sql(`SELECT building_id FROM lift_project WHERE vote_id = ${lift}`));
  assert.ok(poll && lift && B);
});

after(async () => {
  await srv?.stop();
});

test('a closed vote\'s result as PDF and xlsx, for its staff and the street, audited', async () => {
  const v = (await api('GET', `/api/v1/votes/${poll}`, 'staff')).body;
  assert.equal(v.state, 'closed');
  const a0 = audits('vote.export');
  let r = await api('GET', `/api/v1/votes/${poll}/export?what=result&format=pdf`, 'staff');
  checkPdf(r, `${v.title} 表决结果`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.headers.get('content-disposition'),
    new RegExp(`^attachment; filename="vote-${poll}-result\\.pdf"; filename\\*=UTF-8''${encodeURIComponent(`${v.title}-表决结果.pdf`)}$`));

  r = await api('GET', `/api/v1/votes/${poll}/export?what=result&format=xlsx`, 'street');
  const x = readXlsx(r);
  assert.match(r.headers.get('content-disposition'), new RegExp(`filename="vote-${poll}-result\\.xlsx"`));
  assert.match(x.workbook, /name="表决结果"/);
  assert.ok(x.strings.includes(v.title), 'the vote\'s title');
  // each condition with its text and 成立/不成立, the decision, the chain head and its check
  for (const c of v.result.conditions)
    assert.ok(x.strings.includes(xmlEsc(`${c.text}（${c.holds ? '成立' : '不成立'}）`)), c.text);
  assert.ok(x.strings.includes(v.result.approved ? '通过' : '未通过'));
  assert.ok(x.strings.includes(v.chain_head), 'the chain head');
  assert.match(x.strings, /校验通过：\d+ 张选票/);
  assert.ok(x.strings.includes(`应参与 ${v.result.voters_total}，参与 ${v.result.voters_participating}`), 'the roll totals');

  assert.equal(audits('vote.export'), a0 + 2);
  const last = sql("SELECT username, object_id, community, detail FROM audit WHERE action = 'vote.export' ORDER BY id DESC LIMIT 1").split('|');
  assert.deepEqual(last.slice(0, 3), ['street', String(poll), COMMUNITY]);
  assert.deepEqual(JSON.parse(last[3]), { what: 'result', format: 'xlsx', rows: 0 });
});

test('the result waits for the close; the signature list of an open vote has every unit of the roll', async () => {
  const a0 = audits('vote.export');
  expectError(await api('GET', `/api/v1/votes/${lift}/export?what=result&format=pdf`, 'staff'), 409, 'not_closed');
  expectError(await api('GET', `/api/v1/votes/${lift}/export?what=result&format=xlsx`, 'street'), 409, 'not_closed');
  assert.equal(audits('vote.export'), a0, 'a refused export is not audited');

  const v = (await api('GET', `/api/v1/votes/${lift}`, 'staff')).body;
  const roll = count(`SELECT count(*) FROM vote_roll WHERE vote_id = ${lift}`);
  const voted = count(`SELECT count(*) FROM vote_roll r JOIN vote_current c ON c.vote_id = r.vote_id AND c.voter = r.voter WHERE r.vote_id = ${lift}`);
  assert.ok(roll > voted && voted > 0, `${voted} of ${roll} voted`);
  const x = readXlsx(await api('GET', `/api/v1/votes/${lift}/export?what=signatures&format=xlsx`, 'staff'));
  assert.match(x.workbook, /name="投票名单"/);
  assert.match(x.workbook, /name="说明"/);
  assert.equal((x.sheet.match(/<row /g) || []).length, roll + 1, 'a header and one row per unit of the roll');
  for (const h of ['楼栋', '单元', '室号', '面积（m²）', '业主', '意见', '方式', '时间']) assert.ok(x.strings.includes(`<t>${h}</t>`), h);
  assert.ok(x.strings.includes('<t>同意</t>'), 'an open vote shows the choices');
  // owners' names masked as lists mask them
  const owners = sql(`SELECT DISTINCT o.name FROM vote_roll r JOIN property_owner o ON r.voter = 'o:' || o.id WHERE r.vote_id = ${lift}`).split('\n');
  assert.ok(owners.length > 3);
  for (const name of owners) {
    assert.ok(!x.strings.includes(`<t>${name}</t>`), `${name} in full`);
    assert.ok(x.strings.includes(`<t>${name.slice(0, 1)}${'*'.repeat([...name].length - 1)}</t>`), `${name} masked`);
  }
  assert.ok(x.strings.includes(`名单 ${roll} 行，已参与 ${voted} 行，未参与 ${roll - voted} 行。`));

  const p = checkPdf(await api('GET', `/api/v1/votes/${lift}/export?what=signatures&format=pdf`, 'secretary'), `${v.title} 投票名单`);
  assert.ok(p.pages >= 1);
  assert.equal(audits('vote.export'), a0 + 2);
  assert.equal(JSON.parse(sql("SELECT detail FROM audit WHERE action = 'vote.export' ORDER BY id DESC LIMIT 1")).rows, roll);
});

test('a secret vote\'s signature list shows who took part, never how', async () => {
  const r0 = await api('POST', '/api/v1/votes', 'staff', {
    kind: 'poll', per: 'household', title: '楼道加装感应灯', scope: 'unit', building_id: B, unit: 1,
    secret: true, closes_at: new Date(Date.now() + 7 * DAY).toISOString(),
  });
  assert.equal(r0.status, 201, JSON.stringify(r0.body));
  const id = r0.body.id;
  const b = await api('POST', `/api/v1/votes/${id}/ballots`, 'resident', { choice: 'no' });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const roll = count(`SELECT count(*) FROM vote_roll WHERE vote_id = ${id}`);

  const x = readXlsx(await api('GET', `/api/v1/votes/${id}/export?what=signatures&format=xlsx`, 'staff'));
  assert.equal((x.sheet.match(/<row /g) || []).length, roll + 1);
  assert.ok(x.strings.includes('<t>已参与</t>'), 'participation shown');
  assert.ok(x.strings.includes('<t>是否参与</t>'));
  for (const c of ['同意', '反对', '弃权']) assert.ok(!x.strings.includes(c), `no choice "${c}" in a secret vote's list`);
  for (const h of ['<t>意见</t>', '<t>方式</t>', '<t>时间</t>']) assert.ok(!x.strings.includes(h), `no column ${h}`);
  assert.ok(x.strings.includes('无记名投票'), 'the document says why');
  checkPdf(await api('GET', `/api/v1/votes/${id}/export?what=signatures&format=pdf`, 'street'), '楼道加装感应灯 投票名单');

  // closed, its result exports too
  assert.equal((await api('POST', `/api/v1/votes/${id}/close`, 'staff')).status, 200);
  checkPdf(await api('GET', `/api/v1/votes/${id}/export?what=result&format=pdf`, 'staff'), '楼道加装感应灯 表决结果');
});

test('vote exports: who may, and bad parameters naming the field', async () => {
  const a0 = audits('vote.export');
  for (const who of ['resident', 'grid'])
    expectError(await api('GET', `/api/v1/votes/${poll}/export?what=result&format=pdf`, who), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/votes/${poll}/export?what=result&format=pdf`, 'farstaff'), 404, 'not_found');
  expectError(await api('GET', '/api/v1/votes/99999/export?what=result&format=pdf', 'staff'), 404, 'not_found');
  expectError(await api('GET', `/api/v1/votes/${poll}/export?what=ballots&format=pdf`, 'staff'), 422, 'invalid_what', 'what');
  expectError(await api('GET', `/api/v1/votes/${poll}/export?format=pdf`, 'staff'), 422, 'invalid_what', 'what');
  expectError(await api('GET', `/api/v1/votes/${poll}/export?what=result&format=doc`, 'staff'), 422, 'invalid_format', 'format');
  expectError(await api('GET', `/api/v1/votes/${poll}/export?what=signatures&format=csv`, 'staff'), 422, 'invalid_format', 'format');
  assert.equal((await srv.api('GET', `/api/v1/votes/${poll}/export?what=result&format=pdf`)).status, 401);
  assert.equal(audits('vote.export'), a0, 'nothing audited');
});

test('funds applications as CSV and xlsx: the scope, the filters, amounts in 元, state labels', async () => {
  const a0 = audits('funds.export');
  let r = await api('GET', '/api/v1/funds/applications/export?format=csv', 'street');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="funds-applications-${STREET}-all\\.csv"; filename\\*=UTF-8''`));
  const rows = csvRows(r.body);
  assert.deepEqual(rows[0].slice(0, 9), ['编号', '社区代码', '社区', '年度', '预算科目', '申请团队', '项目名称', '状态', '申请金额（元）']);
  assert.equal(rows.length - 1, count(`SELECT count(*) FROM fund_application WHERE community LIKE '${STREET}%'`));
  const byId = Object.fromEntries(rows.slice(1).map((c) => [c[0], c]));
  const closed = sql("SELECT id, total_fen, spent_fen, returned_fen FROM fund_application WHERE state = 'closed' AND returned_fen > 0 ORDER BY id LIMIT 1").split('|').map(Number);
  const yuan = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  assert.deepEqual([byId[closed[0]][7], byId[closed[0]][8], byId[closed[0]][10], byId[closed[0]][11]],
    ['已结项', yuan(closed[1]), yuan(closed[2]), yuan(closed[3])]);
  assert.ok(rows.slice(1).some((c) => c[7] === '执行中') && rows.slice(1).some((c) => c[7] === '居委会审核'));

  const year = Number(sql("SELECT max(year) FROM fund_application"));
  r = await api('GET', `/api/v1/funds/applications/export?community=${COMMUNITY}&year=${year}&state=closed&format=csv`, 'staff');
  assert.equal(r.status, 200);
  const closedRows = csvRows(r.body).slice(1);
  assert.equal(closedRows.length, count(`SELECT count(*) FROM fund_application WHERE community = '${COMMUNITY}' AND year = ${year} AND state = 'closed'`));
  assert.ok(closedRows.length > 0 && closedRows.every((c) => c[7] === '已结项' && c[3] === String(year)));

  const x = readXlsx(await api('GET', '/api/v1/funds/applications/export', 'staff'));
  assert.match(x.workbook, /name="自治金申请"/);
  const title = sql('SELECT title FROM fund_application ORDER BY id LIMIT 1');
  assert.ok(x.strings.includes(title));
  assert.ok(x.sheet.includes(`<v>${closed[1] / 100}</v>`), 'amounts are numbers in 元');
  assert.equal(audits('funds.export'), a0 + 3);
  assert.equal(JSON.parse(sql("SELECT detail FROM audit WHERE action = 'funds.export' ORDER BY id DESC LIMIT 1")).what, 'applications');

  expectError(await api('GET', '/api/v1/funds/applications/export', 'resident'), 403, 'forbidden');
  expectError(await api('GET', '/api/v1/funds/applications/export', 'property'), 403, 'forbidden');
  assert.equal((await api('GET', `/api/v1/funds/applications/export?community=${OTHER}`, 'staff')).status, 403);
  expectError(await api('GET', '/api/v1/funds/applications/export?format=pdf', 'staff'), 422, 'invalid_format', 'format');
  expectError(await api('GET', '/api/v1/funds/applications/export?state=lost', 'staff'), 400, 'invalid_query', 'state');
  assert.equal(audits('funds.export'), a0 + 3, 'refusals not audited');
});

test('the ledger as CSV and xlsx: its lines and the totals, a street\'s for the street', async () => {
  const year = Number(sql("SELECT max(year) FROM fund_budget"));
  const ledger = (await api('GET', `/api/v1/funds/ledger?year=${year}`, 'street')).body;
  assert.ok(ledger.lines.length > 0);
  const r = await api('GET', `/api/v1/funds/ledger/export?year=${year}&format=csv`, 'street');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition'), new RegExp(`filename="funds-ledger-${STREET}-${year}\\.csv"`));
  const rows = csvRows(r.body);
  assert.equal(rows[0][4], '预算（元）');
  assert.equal(rows.length - 2, ledger.lines.length, 'a row per line and the totals');
  const yuan = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const total = rows.at(-1);
  assert.equal(total[0], '合计');
  assert.deepEqual(total.slice(4, 10), ['budget', 'approved', 'spent', 'committed', 'returned', 'available'].map((k) => yuan(ledger.totals[k])));
  assert.equal(total[10], '是');
  assert.ok(rows.slice(1, -1).every((c) => c[10] === '是'), 'every demo line reconciles');

  const x = readXlsx(await api('GET', `/api/v1/funds/ledger/export?community=${COMMUNITY}&year=${year}`, 'staff'));
  assert.match(x.workbook, /name="自治金台账"/);
  assert.ok(x.strings.includes('合计') && x.strings.includes(ledger.lines[0].name));
  expectError(await api('GET', '/api/v1/funds/ledger/export', 'street'), 400, 'missing_query', 'year');
  expectError(await api('GET', `/api/v1/funds/ledger/export?year=${year}&format=ods`, 'street'), 422, 'invalid_format', 'format');
  expectError(await api('GET', `/api/v1/funds/ledger/export?year=${year}`, 'resident'), 403, 'forbidden');
});

test('a project\'s printable 公示: approved or closed only, a QR code linking to its H5 page', async () => {
  const closed = Number(sql("SELECT id FROM fund_application WHERE state = 'closed' ORDER BY id DESC LIMIT 1"));
  const approved = Number(sql("SELECT id FROM fund_application WHERE state = 'approved' ORDER BY id LIMIT 1"));
  const waiting = Number(sql("SELECT id FROM fund_application WHERE state = 'street' ORDER BY id LIMIT 1"));
  // waiting at the 居委会, applied for by the demo resident: she sees it, not its 公示
  const hers = Number(sql(`SELECT a.id FROM fund_application a JOIN app_user u ON u.id = a.applicant_id
    WHERE u.username = 'resident' AND a.state = 'review' ORDER BY a.id LIMIT 1`));
  assert.ok(hers, 'the demo resident has an application under review');
  const title = (id) => sql(`SELECT title FROM fund_application WHERE id = ${id}`);
  const host = new URL(srv.url).host;
  for (const [id, who] of [[closed, 'staff'], [approved, 'street'], [closed, 'resident']]) {
    const r = await api('GET', `/api/v1/funds/applications/${id}/notice.pdf`, who);
    const p = checkPdf(r, `${title(id)} 自治金项目公示`);
    assert.ok(p.text.includes(`/URI (http://${host}/h5/#/funds/${id})`), 'the QR code links to the H5 page');
    assert.match(r.headers.get('content-disposition'), new RegExp(`filename="funds-${id}-notice\\.pdf"; filename\\*=UTF-8''`));
  }
  expectError(await api('GET', `/api/v1/funds/applications/${waiting}/notice.pdf`, 'staff'), 409, 'not_public');
  expectError(await api('GET', `/api/v1/funds/applications/${hers}/notice.pdf`, 'resident'), 409, 'not_public');
  // those who do not see the project's 公示
  expectError(await api('GET', `/api/v1/funds/applications/${waiting}/notice.pdf`, 'resident'), 404, 'not_found');
  expectError(await api('GET', `/api/v1/funds/applications/${closed}/notice.pdf`, 'property'), 404, 'not_found');
  expectError(await api('GET', `/api/v1/funds/applications/${closed}/notice.pdf`, 'farstaff'), 404, 'not_found');
  expectError(await api('GET', '/api/v1/funds/applications/99999/notice.pdf', 'staff'), 404, 'not_found');
  assert.equal((await api('GET', `/api/v1/funds/applications/${closed}/notice.pdf?days=0`, 'staff')).status, 400);
});
