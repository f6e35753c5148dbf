// 自治金, community funds (issue 17), the server side: the street sets a
// community's yearly budget in lines; a resident team's lead (or staff)
// applies with a budget table; 居委会 review → 议事会 opinion → street
// approval above the budget's amount, each approve / return / reject with
// reasons; milestones, spending against the approved items with receipts
// (image or PDF by content), changes above the percentage re-approved;
// close with a final report, residents' evaluation, 公示. Money is integer
// fen; the database keeps approvals within the line's budget and spending
// within the approval, also when many approvals race through two servers.
// `linli funds ledger` prints the ledger and fails when it does not
// reconcile. Bad input gets a 4xx naming the field and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, serveAgain, BIN, ROOT, COMMUNITY, STREET, PG, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001'; // another community of the street
const YEAR = 2030;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f1e1f10000000049454e44ae426082', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

let srv, srv2;
const tok = {};
const uid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body, extra = {}) => srv.api(method, p, { token: tok[who], body, ...extra });

let budget; // this test's budget (YEAR)
let lineSmall, lineBig; // line ids
let team; // team led by the demo resident
let residentId; // the resident the demo resident account is

function cli(args) {
  return spawnSync(BIN, args, { cwd: ROOT, encoding: 'utf8' });
}

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'the message is Chinese');
}

const items1 = [{ name: '绿植', unit: '盆', quantity: 10, unit_fen: 2000 }, { name: '花架', unit: '个', quantity: 2, unit_fen: 5000 }];
const full = (extra = {}) => ({
  line_id: lineSmall, team_id: team, title: '楼道绿植角', purpose: '美化楼道', beneficiaries: '3号楼居民',
  starts_on: `${YEAR}-03-01`, ends_on: `${YEAR}-05-31`, items: items1, total_fen: 30000, ...extra,
});

/* Drives application @id from review to the state after the council (as staff). */
async function toCouncilApproved(id, who = 'staff') {
  let r = await api('POST', `/api/v1/funds/applications/${id}/steps`, who, { kind: 'review', decision: 'approve' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await api('POST', `/api/v1/funds/applications/${id}/steps`, who, { kind: 'council', decision: 'approve', reason: '议事会同意', meeting_on: `${YEAR}-03-05`, attendees: 9 });
  return r;
}

async function staffApp(line, total, title) {
  const r = await api('POST', '/api/v1/funds/applications', 'staff', {
    line_id: line, title, purpose: '测试', beneficiaries: '居民', starts_on: `${YEAR}-04-01`, ends_on: `${YEAR}-04-30`,
    items: [{ name: '物资', quantity: 1, unit_fen: total }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const s = await api('POST', `/api/v1/funds/applications/${r.body.id}/submit`, 'staff');
  assert.equal(s.status, 200, JSON.stringify(s.body));
  return r.body.id;
}

async function upload(id, who, body, kind = 'receipt') {
  return api('POST', `/api/v1/funds/applications/${id}/files?kind=${kind}&name=${encodeURIComponent('发票.png')}`, who, undefined,
    { raw: body, headers: { 'Content-Type': 'application/octet-stream' } });
}

before(async () => {
  srv = await startServer({ demo: true, residents: 200 });
  for (const u of ['street', 'secretary', 'staff', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  await addUser('farstaff', 'staff', OTHER);
  // the demo resident's is a household's account: she acts for the team lead of her household
  residentId = Number(sql(`SELECT min(r.id) FROM app_user u JOIN resident r ON r.household_id = u.household_id WHERE u.username = 'resident'`));
  assert.ok(residentId > 0);
});

after(async () => {
  if (srv2) await srv2.stop();
  await srv.stop();
});

test('the demo has a year of projects in several states, receipts and a report, and its ledger reconciles', async () => {
  const year = new Date(Date.now() + 8 * 3600000).getUTCFullYear();
  const states = sql(`SELECT DISTINCT state FROM fund_application WHERE community = '${COMMUNITY}' AND year = ${year} ORDER BY state`).split('\n');
  for (const s of ['approved', 'closed', 'council', 'draft', 'rejected', 'returned', 'review', 'street'])
    assert.ok(states.includes(s), `a demo project in ${s}: ${states}`);
  assert.ok(count(`SELECT count(*) FROM fund_file WHERE kind = 'receipt'`) >= 5);
  assert.ok(count(`SELECT count(*) FROM fund_application WHERE state = 'closed' AND final_report IS NOT NULL`) >= 2);
  const r = await api('GET', `/api/v1/funds/ledger?community=${COMMUNITY}&year=${year}`, 'staff');
  assert.equal(r.status, 200);
  assert.equal(r.body.reconciles, true);
  assert.ok(r.body.totals.spent > 0 && r.body.totals.returned > 0 && r.body.totals.committed > 0, JSON.stringify(r.body.totals));
  const pub = await api('GET', `/api/v1/funds/public?year=${year}`, 'resident');
  assert.equal(pub.status, 200);
  assert.ok(pub.body.items.length >= 3);
  assert.ok(pub.body.items.every((x) => ['approved', 'change', 'closed'].includes(x.state)));
  const rep = await api('GET', `/api/v1/funds/report?community=${STREET}&year=${year}`, 'street');
  assert.equal(rep.status, 200);
  assert.ok(rep.body.months.length > 0 && rep.body.evaluations.count > 0, JSON.stringify(rep.body));
  const closed = pub.body.items.find((x) => x.state === 'closed');
  const page = await api('GET', `/api/v1/funds/applications/${closed.id}`, 'resident');
  assert.equal(page.status, 200);
  assert.ok(page.body.spending.length > 0 && page.body.files.length > 0);
  assert.equal(page.body.steps, undefined, 'the public page leaves out the internal steps');
});

test('the street sets a budget; bad amounts, duplicates and other roles are refused and write nothing', async () => {
  const before = count('SELECT count(*) FROM fund_budget');
  const body = { community: COMMUNITY, year: YEAR, street_min_fen: 50000, change_pct: 10, lines: [{ name: '环境改善', budget_fen: 100000 }, { name: '文体活动', budget_fen: 10000000 }] };
  expectError(await api('POST', '/api/v1/funds/budgets', 'staff', body), 403, 'forbidden');
  expectError(await api('POST', '/api/v1/funds/budgets', 'street', { ...body, lines: [{ name: 'x', budget_fen: -1 }] }), 422, 'negative_amount', 'lines[0].budget_fen');
  expectError(await api('POST', '/api/v1/funds/budgets', 'street', { ...body, lines: [{ name: 'x', budget_fen: '100' }] }), 422, 'invalid_amount', 'lines[0].budget_fen');
  expectError(await api('POST', '/api/v1/funds/budgets', 'street', { ...body, lines: [{ name: 'x', budget_fen: 12.5 }] }), 422, 'invalid_amount', 'lines[0].budget_fen');
  expectError(await api('POST', '/api/v1/funds/budgets', 'street', { ...body, lines: [{ name: 'x', budget_fen: 1 }, { name: 'x', budget_fen: 2 }] }), 422, 'line_exists', 'lines[1].name');
  expectError(await api('POST', '/api/v1/funds/budgets', 'street', { ...body, bogus: 1 }), 422, 'unknown_field', 'bogus');
  assert.equal(count('SELECT count(*) FROM fund_budget'), before, 'nothing written');
  const r = await api('POST', '/api/v1/funds/budgets', 'street', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  budget = r.body.id;
  [lineSmall, lineBig] = r.body.lines.map((l) => l.id);
  assert.equal(r.body.lines[0].available_fen, 100000);
  expectError(await api('POST', '/api/v1/funds/budgets', 'street', body), 409, 'budget_exists', 'year');
  const add = await api('POST', `/api/v1/funds/budgets/${budget}/lines`, 'street', { name: '应急', budget_fen: 10000 });
  assert.equal(add.status, 201);
  const list = await api('GET', `/api/v1/funds/budgets?year=${YEAR}`, 'staff');
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].lines.length, 3);
  const far = await api('GET', `/api/v1/funds/budgets?year=${YEAR}`, 'farstaff');
  assert.equal(far.body.items.length, 0, 'another community sees none of it');
});

test('staff register a team led by a resident; a resident lead applies, drafts show what is missing', async () => {
  expectError(await api('POST', '/api/v1/funds/teams', 'staff', { name: '绿植小组', lead_resident_id: 999999 }), 422, 'unknown_resident', 'lead_resident_id');
  const t = await api('POST', '/api/v1/funds/teams', 'staff', { name: '测试绿植队', lead_resident_id: residentId, members: 8 });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  team = t.body.id;
  await api('POST', '/api/v1/funds/teams', 'staff', { name: '别人的队', lead_resident_id: residentId + 1 });
  const mine = await api('GET', '/api/v1/funds/teams', 'resident');
  assert.ok(mine.body.items.length >= 1 && mine.body.items.every((x) => x.lead_resident_id === residentId),
    'a resident sees only the teams she leads');
  assert.ok((await api('GET', '/api/v1/funds/teams', 'staff')).body.items.some((x) => x.name === '别人的队'));
  const lines = await api('GET', `/api/v1/funds/budgets?year=${YEAR}`, 'resident');
  assert.equal(lines.status, 200, 'residents read their community\'s budget, to pick a line');
  assert.equal(lines.body.items[0].lines.length, 3);
  // a draft with only a title and a line
  const d = await api('POST', '/api/v1/funds/applications', 'resident', { line_id: lineSmall, team_id: team, title: '楼道绿植角' });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  const page = await api('GET', `/api/v1/funds/applications/${d.body.id}`, 'resident');
  assert.deepEqual(page.body.missing.map((m) => m.field), ['purpose', 'beneficiaries', 'starts_on', 'ends_on', 'items']);
  expectError(await api('POST', `/api/v1/funds/applications/${d.body.id}/submit`, 'resident'), 422, 'incomplete', 'purpose');
  assert.equal(sql(`SELECT state FROM fund_application WHERE id = ${d.body.id}`), 'draft');
  // the lead alone applies for her team; without a team a resident cannot
  expectError(await api('POST', '/api/v1/funds/applications', 'resident', { ...full(), team_id: undefined }), 422, 'missing_field', 'team_id');
  const del = await api('DELETE', `/api/v1/funds/applications/${d.body.id}`, 'resident');
  assert.equal(del.status, 200);
  assert.equal(count(`SELECT count(*) FROM fund_application WHERE id = ${d.body.id}`), 0);
});

test('budget tables: totals that do not add up, negative or non-numeric amounts get a 422 naming the field', async () => {
  const before = count('SELECT count(*) FROM fund_application');
  const cases = [
    [{ total_fen: 29999 }, 'total_mismatch', 'total_fen'],
    [{ items: [{ name: '绿植', quantity: 10, unit_fen: 2000, amount_fen: 21000 }] }, 'amount_mismatch', 'items[0].amount_fen'],
    [{ items: [{ name: '绿植', quantity: 10, unit_fen: -2000 }], total_fen: undefined }, 'negative_amount', 'items[0].unit_fen'],
    [{ items: [{ name: '绿植', quantity: 10, unit_fen: '2000' }], total_fen: undefined }, 'invalid_amount', 'items[0].unit_fen'],
    [{ items: [{ name: '绿植', quantity: 10, unit_fen: 20.5 }], total_fen: undefined }, 'invalid_amount', 'items[0].unit_fen'],
    [{ items: [{ name: '绿植', quantity: 0, unit_fen: 2000 }], total_fen: undefined }, 'out_of_range', 'items[0].quantity'],
    [{ items: [{ name: '绿植', quantity: 1000000, unit_fen: 100000000000 }], total_fen: undefined }, 'amount_too_large', 'items[0].unit_fen'],
    [{ ends_on: `${YEAR}-02-01` }, 'invalid_range', 'ends_on'],
    [{ line_id: 999999 }, 'unknown_line', 'line_id'],
  ];
  for (const [patch, code, field] of cases)
    expectError(await api('POST', '/api/v1/funds/applications', 'resident', full(patch)), 422, code, field);
  expectError(await api('POST', '/api/v1/funds/applications', 'farstaff', full({ team_id: undefined })), 422, 'unknown_line', 'line_id');
  assert.equal(count('SELECT count(*) FROM fund_application'), before, 'nothing written');
});

let app1; // the resident team's approved project (30000 fen, below the street's amount)

test('the chain: review → 议事会 → approved below the street amount; steps out of order and by the wrong people are refused', async () => {
  const r = await api('POST', '/api/v1/funds/applications', 'resident', full());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  app1 = r.body.id;
  assert.equal(r.body.total_fen, 30000);
  let s = await api('POST', `/api/v1/funds/applications/${app1}/submit`, 'resident');
  assert.equal(s.body.state, 'review');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/submit`, 'resident'), 409, 'step_out_of_order');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'resident', { kind: 'review', decision: 'approve' }), 403, 'forbidden');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'farstaff', { kind: 'review', decision: 'approve' }), 404, 'not_found');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'council', decision: 'approve', reason: '同意', meeting_on: `${YEAR}-03-05` }), 409, 'step_out_of_order', 'kind');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'review', decision: 'return' }), 422, 'missing_field', 'reason');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'review', decision: 'maybe' }), 422, 'invalid_decision', 'decision');
  // returned, edited, submitted again
  s = await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'review', decision: 'return', reason: '请补充报价' });
  assert.equal(s.body.state, 'returned');
  assert.equal(count(`SELECT count(*) FROM notice WHERE user_id = ${uid.resident} AND kind = 'funds.step'`), 1, 'the applicant is told');
  const e = await api('PUT', `/api/v1/funds/applications/${app1}`, 'resident', full({ purpose: '美化楼道（附两家报价）' }));
  assert.equal(e.status, 200, JSON.stringify(e.body));
  s = await api('POST', `/api/v1/funds/applications/${app1}/submit`, 'resident');
  assert.equal(s.body.state, 'review');
  expectError(await api('PUT', `/api/v1/funds/applications/${app1}`, 'resident', full()), 409, 'not_editable');
  s = await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'review', decision: 'approve' });
  assert.equal(s.body.state, 'council');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'council', decision: 'approve', meeting_on: `${YEAR}-03-05` }), 422, 'missing_field', 'reason');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'council', decision: 'approve', reason: '同意' }), 422, 'missing_field', 'meeting_on');
  s = await api('POST', `/api/v1/funds/applications/${app1}/steps`, 'staff', { kind: 'council', decision: 'approve', reason: '议事会 9 人到会，同意', meeting_on: `${YEAR}-03-05`, attendees: 9 });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.equal(s.body.state, 'approved');
  assert.equal(s.body.state_label, '执行中');
  assert.equal(s.body.approved_fen, 30000);
  assert.deepEqual(s.body.steps.map((x) => `${x.kind}:${x.decision ?? ''}`),
    ['submit:', 'review:return', 'submit:', 'review:approve', 'council:approve']);
  assert.equal(s.body.steps[4].meeting_on, `${YEAR}-03-05`);
  assert.equal(count(`SELECT approved_fen FROM fund_line WHERE id = ${lineSmall}`), 30000);
});

test('above the street amount the street approves, not the community; a rejected one stays rejected', async () => {
  const id = await staffApp(lineBig, 60000, '健身角维修');
  let r = await toCouncilApproved(id);
  assert.equal(r.body.state, 'street');
  expectError(await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'street', decision: 'approve' }), 403, 'forbidden');
  r = await api('POST', `/api/v1/funds/applications/${id}/steps`, 'street', { kind: 'street', decision: 'approve', reason: '同意' });
  assert.equal(r.body.state, 'approved');
  const no = await staffApp(lineBig, 1000, '外墙彩绘');
  r = await api('POST', `/api/v1/funds/applications/${no}/steps`, 'staff', { kind: 'review', decision: 'reject', reason: '不属于自治金使用范围' });
  assert.equal(r.body.state, 'rejected');
  expectError(await api('POST', `/api/v1/funds/applications/${no}/submit`, 'staff'), 409, 'step_out_of_order');
});

test('receipts are images or PDFs by their content; spending stays within the item (plus the percentage) and the approval', async () => {
  const files = count('SELECT count(*) FROM fund_file');
  expectError(await upload(app1, 'resident', Buffer.from('GIF89a not really')), 415, 'unsupported_file', 'file');
  expectError(await upload(app1, 'resident', Buffer.from('<html>发票</html>')), 415, 'unsupported_file', 'file');
  assert.equal(count('SELECT count(*) FROM fund_file'), files, 'nothing written');
  const png = await upload(app1, 'resident', PNG);
  assert.equal(png.status, 201, JSON.stringify(png.body));
  assert.equal(png.body.mime, 'image/png');
  const pdf = await upload(app1, 'staff', PDF);
  assert.equal(pdf.body.mime, 'application/pdf');
  const photo = await upload(app1, 'staff', PNG, 'photo');
  const got = await api('GET', png.body.url, 'resident');
  assert.equal(got.status, 200);
  assert.deepEqual(Buffer.from(got.body), PNG);
  expectError(await api('GET', png.body.url, 'farstaff'), 404, 'not_found');

  const page = await api('GET', `/api/v1/funds/applications/${app1}`, 'resident');
  const [plants, shelf] = page.body.items; // 20000 and 10000 fen
  const spend = (who, body) => api('POST', `/api/v1/funds/applications/${app1}/spending`, who, { spent_on: `${YEAR}-03-20`, receipt_id: png.body.id, ...body });
  const spent = count('SELECT count(*) FROM fund_spending');
  expectError(await spend('resident', { item_id: plants.id, amount_fen: -5 }), 422, 'negative_amount', 'amount_fen');
  expectError(await spend('resident', { item_id: plants.id, amount_fen: 0 }), 422, 'invalid_amount', 'amount_fen');
  expectError(await spend('resident', { item_id: plants.id, amount_fen: '100' }), 422, 'invalid_amount', 'amount_fen');
  expectError(await spend('resident', { item_id: plants.id, amount_fen: 100, receipt_id: photo.body.id }), 422, 'unknown_receipt', 'receipt_id');
  expectError(await spend('resident', { item_id: 999999, amount_fen: 100 }), 422, 'unknown_item', 'item_id');
  expectError(await spend('resident', { item_id: plants.id, amount_fen: 22001 }), 409, 'needs_change', 'amount_fen'); // 20000 + 10 %
  expectError(await spend('resident', { item_id: plants.id, amount_fen: 30001 }), 409, 'over_approval', 'amount_fen');
  assert.equal(count('SELECT count(*) FROM fund_spending'), spent, 'nothing written');
  let r = await spend('resident', { item_id: plants.id, amount_fen: 22000, note: '绿植 10 盆' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await spend('staff', { item_id: shelf.id, amount_fen: 7000, receipt_id: pdf.body.id });
  assert.equal(r.status, 201);
  assert.equal(r.body.spent_fen, 29000);
  expectError(await spend('staff', { item_id: shelf.id, amount_fen: 1001 }), 409, 'over_approval', 'amount_fen');
  // the database refuses it too, whatever the code above does
  assert.throws(() => sql(`UPDATE fund_application SET spent_fen = approved_fen + 1 WHERE id = ${app1}`));
  assert.throws(() => sql(`UPDATE fund_line SET approved_fen = budget_fen + 1 WHERE id = ${lineSmall}`));
  assert.equal(count(`SELECT spent_fen FROM fund_application WHERE id = ${app1}`), 29000);

  const m = await api('POST', `/api/v1/funds/applications/${app1}/milestones`, 'resident', { title: '绿植到位', due_on: `${YEAR}-04-01` });
  assert.equal(m.status, 201);
  const ms = m.body.milestones[0].id;
  expectError(await api('POST', `/api/v1/funds/milestones/${ms}/report`, 'resident', { report: '已摆放', file_ids: [999999] }), 422, 'unknown_file', 'file_ids[0]');
  assert.equal(sql(`SELECT coalesce(report, '') FROM fund_milestone WHERE id = ${ms}`), '', 'nothing half-written');
  r = await api('POST', `/api/v1/funds/milestones/${ms}/report`, 'resident', { report: '绿植已摆放到位', file_ids: [photo.body.id] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.milestones[0].report, '绿植已摆放到位');
});

test('a change within the percentage applies at once; above it waits for re-approval', async () => {
  const id = await staffApp(lineBig, 20000, '合唱团服装');
  await toCouncilApproved(id);
  let page = (await api('GET', `/api/v1/funds/applications/${id}`, 'staff')).body;
  const item = page.items[0];
  // 20000 → 19000: 1000 moved, within 10 %
  let r = await api('POST', `/api/v1/funds/applications/${id}/change`, 'staff', { items: [{ id: item.id, name: '物资', quantity: 1, unit_fen: 19000 }], reason: '实际采购价更低' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.approved_fen, 19000);
  // a new item of 5000 fen: more money, re-approval
  r = await api('POST', `/api/v1/funds/applications/${id}/change`, 'staff', { items: [{ id: item.id, name: '物资', quantity: 1, unit_fen: 19000 }, { name: '领结', quantity: 10, unit_fen: 500 }], reason: '补充配饰' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.state, 'change');
  assert.equal(r.body.approved_fen, 19000, 'not yet approved');
  expectError(await api('POST', `/api/v1/funds/applications/${id}/change`, 'staff', { items: [{ id: item.id, name: '物资', quantity: 1, unit_fen: 1 }], reason: '再改' }), 409, 'change_pending');
  r = await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'change_review', decision: 'approve', reason: '同意' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'approved');
  assert.equal(r.body.approved_fen, 24000);
  assert.equal(r.body.items.length, 2);
});

test('close gives the rest back to the line; residents evaluate once; the ledger reconciles', async () => {
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/evaluations`, 'resident', { score: 5 }), 409, 'not_closed');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/close`, 'resident', { final_report: '短' }), 422, 'too_short', 'final_report');
  const r = await api('POST', `/api/v1/funds/applications/${app1}/close`, 'resident', { final_report: '绿植角已建成，绿植小组排班养护，居民满意。' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'closed');
  assert.equal(r.body.returned_fen, 1000);
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/spending`, 'resident', { item_id: r.body.items[0].id, amount_fen: 1, spent_on: `${YEAR}-05-01`, receipt_id: r.body.files[0].id }), 409, 'not_running');
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/evaluations`, 'resident', { score: 6 }), 422, 'out_of_range', 'score');
  let e = await api('POST', `/api/v1/funds/applications/${app1}/evaluations`, 'resident', { score: 4, comment: '很好' });
  assert.equal(e.status, 201);
  expectError(await api('POST', `/api/v1/funds/applications/${app1}/evaluations`, 'resident', { score: 5 }), 409, 'already_evaluated');
  const pub = await api('GET', `/api/v1/funds/public?year=${YEAR}`, 'resident');
  assert.ok(pub.body.items.some((x) => x.id === app1 && x.state === 'closed'));
  assert.ok(pub.body.items.every((x) => ['approved', 'change', 'closed'].includes(x.state)));
  const led = await api('GET', `/api/v1/funds/ledger?community=${COMMUNITY}&year=${YEAR}`, 'staff');
  assert.equal(led.body.reconciles, true, JSON.stringify(led.body.problems));
  const small = led.body.lines.find((l) => l.line_id === lineSmall);
  assert.deepEqual({ ...small, line_id: 0, community_name: '', reconciles: true },
    { budget: 100000, approved: 30000, spent: 29000, committed: 0, returned: 1000, available: 70000, line_id: 0, community: COMMUNITY, community_name: '', name: '环境改善', reconciles: true });
  expectError(await api('GET', `/api/v1/funds/ledger?community=${COMMUNITY}`, 'staff'), 400, 'missing_query', 'year');
  expectError(await api('GET', `/api/v1/funds/ledger?community=${OTHER}&year=${YEAR}`, 'staff'), 403, 'forbidden');
  e = await api('PUT', `/api/v1/funds/lines/${lineSmall}`, 'street', { budget_fen: 29999 });
  expectError(e, 409, 'below_approved', 'budget_fen');
});

test('race: many approvals against one line through two servers never pass its budget', async () => {
  srv2 ??= await serveAgain(srv);
  const b = await api('POST', '/api/v1/funds/budgets', 'street', { community: COMMUNITY, year: YEAR + 1, street_min_fen: 1000000, lines: [{ name: '应急', budget_fen: 10000 }] });
  assert.equal(b.status, 201);
  const line = b.body.lines[0].id;
  const ids = [];
  for (let i = 0; i < 16; i++) {
    const id = await staffApp(line, 1000, `竞争申请 ${i}`);
    const r = await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'review', decision: 'approve' });
    assert.equal(r.body.state, 'council');
    ids.push(id);
  }
  const results = await Promise.all(ids.map((id, i) => (i % 2 ? srv2 : srv).api('POST', `/api/v1/funds/applications/${id}/steps`,
    { token: tok.staff, body: { kind: 'council', decision: 'approve', reason: '同意', meeting_on: `${YEAR + 1}-01-05` } })));
  const ok = results.filter((r) => r.status === 200).length;
  const over = results.filter((r) => r.status === 409 && r.body.error.code === 'over_budget').length;
  assert.equal(ok, 10, results.map((r) => r.status).join(','));
  assert.equal(over, 6);
  assert.equal(count(`SELECT approved_fen FROM fund_line WHERE id = ${line}`), 10000);
  assert.equal(count(`SELECT coalesce(sum(approved_fen), 0) FROM fund_application WHERE line_id = ${line}`), 10000);
  assert.equal(count(`SELECT count(*) FROM fund_application WHERE line_id = ${line} AND state = 'council'`), 6, 'the refused stay with the council');
});

test('race: concurrent spending on one project never passes its approval', async () => {
  srv2 ??= await serveAgain(srv);
  const id = await staffApp(lineBig, 10000, '并发支出');
  await toCouncilApproved(id);
  const item = (await api('GET', `/api/v1/funds/applications/${id}`, 'staff')).body.items[0];
  const rc = await upload(id, 'staff', PNG);
  const results = await Promise.all(Array.from({ length: 14 }, (_, i) => (i % 2 ? srv2 : srv).api('POST', `/api/v1/funds/applications/${id}/spending`,
    { token: tok.staff, body: { item_id: item.id, amount_fen: 1000, spent_on: `${YEAR}-06-01`, receipt_id: rc.body.id } })));
  assert.equal(results.filter((r) => r.status === 201).length, 10, results.map((r) => r.status).join(','));
  assert.ok(results.every((r) => r.status === 201 || r.status === 409 || r.status === 503));
  assert.equal(count(`SELECT spent_fen FROM fund_application WHERE id = ${id}`), 10000);
  assert.equal(count(`SELECT sum(amount_fen) FROM fund_spending WHERE application_id = ${id}`), 10000);
});

test('linli funds ledger prints the JSON ledger and fails when it does not reconcile', async () => {
  const help = cli(['funds', 'ledger', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--community CODE --year YYYY/);
  assert.match(help.stdout, /postgresql:\/\//);
  assert.equal(cli(['funds', 'ledger', '--db', srv.db, '--community', COMMUNITY]).status, 2);
  assert.equal(cli(['funds', 'ledger', '--db', srv.db, '--community', COMMUNITY, '--year', '20x0']).status, 2);
  let r = cli(['funds', 'ledger', '--db', srv.db, '--community', COMMUNITY, '--year', String(YEAR)]);
  assert.equal(r.status, 0, r.stderr);
  let out = JSON.parse(r.stdout);
  assert.equal(out.reconciles, true);
  assert.equal(out.unit, 'fen');
  assert.equal(out.totals.budget, out.totals.approved + out.totals.available);
  assert.equal(out.totals.approved, out.totals.spent + out.totals.committed + out.totals.returned);
  const street = JSON.parse(cli(['funds', 'ledger', '--db', srv.db, '--community', STREET, '--year', String(YEAR)]).stdout);
  assert.equal(street.totals.budget, out.totals.budget, 'the street\'s ledger holds the community\'s');
  // a running total that lost a fen (still within its CHECK): the ledger says so
  sql(`UPDATE fund_line SET approved_fen = approved_fen - 1 WHERE id = ${lineBig}`);
  r = cli(['funds', 'ledger', '--db', srv.db, '--community', COMMUNITY, '--year', String(YEAR)]);
  assert.equal(r.status, 1);
  out = JSON.parse(r.stdout);
  assert.equal(out.reconciles, false);
  assert.equal(out.problems[0].line_id, lineBig);
  assert.match(r.stderr, /does not reconcile/);
  sql(`UPDATE fund_line SET approved_fen = approved_fen + 1 WHERE id = ${lineBig}`);
  assert.equal(cli(['funds', 'ledger', '--db', srv.db, '--community', COMMUNITY, '--year', String(YEAR)]).status, 0);
});
