// 自治金 (issue 17): who is told that an application waits for them. A
// submitted application (new, or again after a return) tells the
// community's staff and secretaries (notice `funds.submitted`); one that
// reaches the street's step tells the street's admins (`funds.street`); a
// change of a running project that waits for re-approval tells whoever
// decides it (`funds.change`: the community, or the street above its
// amount). Each links to the console's page of the application; the user
// who made it wait, other communities and other streets are not told.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001'; // another community of the same street
const OTHER_STREET = '310105009'; // a street the demo community is not in
const YEAR = 2031;

let srv;
const tok = {};
const uid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });

let lineSmall, lineBig, team;

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

/* The notices of @kind about application @id, per user name. */
function told(kind, id) {
  const out = {};
  for (const name of Object.keys(uid))
    out[name] = count(`SELECT count(*) FROM notice WHERE user_id = ${uid[name]} AND kind = '${kind}' AND link = '/funds/applications/${id}'`);
  return out;
}

async function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  srv = await startServer({ demo: true, residents: 200 });
  for (const u of ['street', 'secretary', 'staff', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  await addUser('staff2', 'staff', COMMUNITY);
  await addUser('farstaff', 'staff', OTHER);
  srv.linli(['import', 'divisions', '--db', srv.db, '--street', OTHER_STREET]);
  await addUser('farstreet', 'street_admin', OTHER_STREET);
  await addUser('gone', 'staff', COMMUNITY);
  sql(`UPDATE app_user SET disabled = 1 WHERE username = 'gone'`);
  const b = await ok(await api('POST', '/api/v1/funds/budgets', 'street', {
    community: COMMUNITY, year: YEAR, street_min_fen: 50000,
    lines: [{ name: '环境改善', budget_fen: 1000000 }, { name: '文体活动', budget_fen: 1000000 }],
  }), 201);
  [lineSmall, lineBig] = b.lines.map((l) => l.id);
  const lead = Number(sql(`SELECT min(r.id) FROM app_user u JOIN resident r ON r.household_id = u.household_id WHERE u.username = 'resident'`));
  team = (await ok(await api('POST', '/api/v1/funds/teams', 'staff', { name: '通知测试队', lead_resident_id: lead }), 201)).id;
});

after(async () => {
  await srv.stop();
});

const body = (extra) => ({
  title: '楼道绿植角', purpose: '美化楼道', beneficiaries: '3号楼居民', starts_on: `${YEAR}-03-01`, ends_on: `${YEAR}-05-31`,
  items: [{ name: '绿植', unit: '盆', quantity: 10, unit_fen: 2000 }], ...extra,
});

test('a resident team submits: the community staff and secretary are told, with a link to the console page; nobody else', async () => {
  const id = (await ok(await api('POST', '/api/v1/funds/applications', 'resident', body({ line_id: lineSmall, team_id: team })), 201)).id;
  assert.equal(told('funds.submitted', id).staff, 0, 'a draft tells nobody');
  await ok(await api('POST', `/api/v1/funds/applications/${id}/submit`, 'resident'));
  assert.deepEqual(told('funds.submitted', id),
    { street: 0, secretary: 1, staff: 1, resident: 0, staff2: 1, farstaff: 0, farstreet: 0, gone: 0 });
  // the staff member sees it in her inbox through the API
  const inbox = await ok(await api('GET', '/api/v1/notices', 'staff2'));
  const n = inbox.items.find((x) => x.kind === 'funds.submitted' && x.link === `/funds/applications/${id}`);
  assert.ok(n, JSON.stringify(inbox.items.slice(0, 3)));
  assert.match(n.title, /待居委会审核/);
  assert.match(n.body, /楼道绿植角.*¥200\.00/);

  // returned, submitted again: told again, as a resubmission
  await ok(await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'review', decision: 'return', reason: '请补充报价' }));
  assert.equal(told('funds.submitted', id).staff, 1, 'a return tells the staff nothing new');
  await ok(await api('PUT', `/api/v1/funds/applications/${id}`, 'resident', body({ line_id: lineSmall, team_id: team, purpose: '美化楼道（附报价）' })));
  await ok(await api('POST', `/api/v1/funds/applications/${id}/submit`, 'resident'));
  const t = told('funds.submitted', id);
  assert.deepEqual([t.staff, t.staff2, t.secretary, t.farstaff, t.street], [2, 2, 2, 0, 0]);
  assert.equal(count(`SELECT count(*) FROM notice WHERE user_id = ${uid.staff} AND kind = 'funds.submitted' AND title LIKE '%重新提交%'`), 1);
});

test('staff submit their own: the other staff are told, not the one who submitted', async () => {
  const id = (await ok(await api('POST', '/api/v1/funds/applications', 'staff', body({ line_id: lineSmall })), 201)).id;
  await ok(await api('POST', `/api/v1/funds/applications/${id}/submit`, 'staff'));
  const t = told('funds.submitted', id);
  assert.deepEqual([t.staff, t.staff2, t.secretary, t.resident], [0, 1, 1, 0]);
});

test('an application that reaches the street tells the street admins over the community, no one else', async () => {
  const id = (await ok(await api('POST', '/api/v1/funds/applications', 'staff', body({ line_id: lineBig, items: [{ name: '健身器材', quantity: 1, unit_fen: 80000 }] })), 201)).id;
  await ok(await api('POST', `/api/v1/funds/applications/${id}/submit`, 'staff'));
  await ok(await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'review', decision: 'approve' }));
  assert.equal(told('funds.street', id).street, 0, 'not before the council');
  const r = await ok(await api('POST', `/api/v1/funds/applications/${id}/steps`, 'secretary', { kind: 'council', decision: 'approve', reason: '同意', meeting_on: `${YEAR}-03-05`, attendees: 9 }));
  assert.equal(r.state, 'street');
  assert.deepEqual(told('funds.street', id),
    { street: 1, secretary: 0, staff: 0, resident: 0, staff2: 0, farstaff: 0, farstreet: 0, gone: 0 });
  assert.equal(count(`SELECT count(*) FROM notice WHERE kind = 'funds.street' AND link = '/funds/applications/${id}'`), 1);
});

test('a change that waits for re-approval tells its deciders; one applied at once tells nobody', async () => {
  const id = (await ok(await api('POST', '/api/v1/funds/applications', 'resident', body({ line_id: lineSmall, team_id: team, items: [{ name: '绿植', quantity: 10, unit_fen: 2000 }] })), 201)).id;
  await ok(await api('POST', `/api/v1/funds/applications/${id}/submit`, 'resident'));
  await ok(await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'review', decision: 'approve' }));
  await ok(await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'council', decision: 'approve', reason: '同意', meeting_on: `${YEAR}-03-05` }));
  const item = (await ok(await api('GET', `/api/v1/funds/applications/${id}`, 'resident'))).items[0];
  // within 10 %: applied, nobody told
  let r = await api('POST', `/api/v1/funds/applications/${id}/change`, 'resident', { items: [{ id: item.id, name: '绿植', quantity: 10, unit_fen: 1900 }], reason: '价格更低' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(count(`SELECT count(*) FROM notice WHERE kind = 'funds.change' AND link = '/funds/applications/${id}'`), 0);
  // more money, below the street's amount: the community decides
  r = await api('POST', `/api/v1/funds/applications/${id}/change`, 'resident', { items: [{ id: item.id, name: '绿植', quantity: 10, unit_fen: 1900 }, { name: '花架', quantity: 2, unit_fen: 5000 }], reason: '加两个花架' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  let t = told('funds.change', id);
  assert.deepEqual([t.staff, t.staff2, t.secretary, t.street, t.resident, t.farstaff], [1, 1, 1, 0, 0, 0]);
  await ok(await api('POST', `/api/v1/funds/applications/${id}/steps`, 'staff', { kind: 'change_review', decision: 'approve', reason: '同意' }));
  // above the street's amount: the street decides
  const page = await ok(await api('GET', `/api/v1/funds/applications/${id}`, 'resident'));
  r = await api('POST', `/api/v1/funds/applications/${id}/change`, 'resident', {
    items: [...page.items.map((x) => ({ id: x.id, name: x.name, quantity: x.quantity, unit_fen: x.unit_fen })), { name: '景观石', quantity: 1, unit_fen: 60000 }],
    reason: '增加景观石',
  });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  t = told('funds.change', id);
  assert.deepEqual([t.staff, t.staff2, t.secretary, t.street, t.farstreet], [1, 1, 1, 1, 0]);
});
