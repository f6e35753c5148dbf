// The cases sweeps in the background of `linli serve`: with no cases request
// at all, a case whose deadlines pass turns overdue, is escalated once and
// its notices reach the street admins over its community and the
// community's secretaries and staff (nobody else); an orphan photo is
// purged, row and file. Request sweeps racing the background one (and a
// second process writing) escalate each case once. The interval comes from
// the config key cases_sweep_ms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, BIN, COMMUNITY, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001'; // 番禺居委会, same street
const SWEEP_MS = 200;

let srv, confDir, building;
const tok = {};
const uid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Polls @fn (synchronous SQL) until it is true, for at most @ms. */
async function until(fn, ms, what) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

async function report(description) {
  const r = await api('POST', '/api/v1/cases', 'resident', { category: 'corridor_clutter', description, building_id: building });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/* @who's notices about case @id of kind @kind, through the notices API (which does not sweep cases). */
async function told(who, id, kind = 'case.escalated') {
  const r = await api('GET', '/api/v1/notices?per_page=100', who);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items.filter((n) => n.link === `/cases/${id}` && n.kind === kind);
}

before(async () => {
  confDir = mkdtempSync(path.join(tmpdir(), 'linli-sweep-'));
  const conf = path.join(confDir, 'linli.conf');
  writeFileSync(conf, `# the background sweep of these tests\ncases_sweep_ms = ${SWEEP_MS}\n`);
  srv = await startServer({ demo: true, residents: 200, extraArgs: ['--config', conf, '--threads', '4'] });
  for (const u of ['street', 'secretary', 'staff', 'grid', 'property', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  await addUser('staff2', 'staff', COMMUNITY);
  await addUser('gone', 'staff', COMMUNITY);
  await addUser('farsec', 'secretary', OTHER);
  await addUser('farstaff', 'staff', OTHER);
  srv.linli(['import', 'divisions', '--db', srv.db, '--street', '310105009']); /* another street of 长宁区 */
  await addUser('farstreet', 'street_admin', '310105009');
  sql(`UPDATE app_user SET disabled = 1 WHERE id = ${uid.gone}`);
  building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
});

after(async () => {
  await srv.stop();
  rmSync(confDir, { recursive: true, force: true });
});

test('a bad cases_sweep_ms is refused at start', () => {
  const bad = path.join(confDir, 'bad.conf');
  writeFileSync(bad, 'cases_sweep_ms = 5\n');
  assert.throws(() => execFileSync(BIN, ['serve', '--db', srv.db, '--config', bad, '--listen', '127.0.0.1:1'], { stdio: 'pipe' }),
    (e) => e.status === 2 && /cases_sweep_ms/.test(String(e.stderr)));
});

test('with no cases request, a case past its deadlines turns overdue, escalates once and tells the right people', async () => {
  const c = await report('楼道堆放纸箱，无人清理');
  assert.equal(sql(`SELECT CAST(overdue AS TEXT) || CASE WHEN escalated_at IS NULL THEN '1' ELSE '0' END FROM cases WHERE id = ${c.id}`), '01');
  // time passes: its deadlines are now behind it (a second process writes them)
  const respondDue = Date.now() - 3600e3, resolveDue = Date.now() - 1000;
  sql(`UPDATE cases SET respond_due = ${respondDue}, resolve_due = ${resolveDue} WHERE id = ${c.id}`);
  await until(() => sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action = 'escalate'`) === '1', 10000, 'the escalation');
  const row = sql(`SELECT overdue, overdue_respond, CASE WHEN escalated_at IS NOT NULL THEN 1 ELSE 0 END FROM cases WHERE id = ${c.id}`);
  assert.equal(row, '1|1|1', 'flagged overdue (respond and resolve) and escalated');
  const escalatedAt = Number(sql(`SELECT escalated_at FROM cases WHERE id = ${c.id}`));
  assert.ok(escalatedAt >= resolveDue && escalatedAt <= Date.now(), 'escalated at the sweep\'s time');

  const street = await told('street', c.id);
  assert.equal(street.length, 1, 'the street admin over the community is told');
  assert.match(street[0].title, new RegExp(`超期上报街道（案件 ${c.id}）`));
  assert.match(street[0].body, /幸福居委会 · .*楼道堆放纸箱.*请督办/);
  assert.equal(Date.parse(street[0].created_at), Math.floor(escalatedAt / 1000) * 1000, 'dated with the escalation (to the second)');
  for (const who of ['secretary', 'staff', 'staff2']) {
    const got = await told(who, c.id);
    assert.equal(got.length, 1, `${who} of the community is told`);
    assert.match(got[0].body, /楼道堆放纸箱.*上报街道督办，请尽快办结/);
    assert.equal(got[0].read_at, null);
  }
  for (const who of ['farsec', 'farstaff', 'farstreet', 'grid', 'property', 'resident'])
    assert.equal((await told(who, c.id)).length, 0, `${who} is not told`);
  assert.equal(sql(`SELECT count(*) FROM notice WHERE user_id = ${uid.gone} AND link = '/cases/${c.id}'`), '0', 'a disabled account is not told');
  // who, by SQL: exactly these accounts, one notice each
  const want = [uid.street, uid.secretary, uid.staff, uid.staff2].sort((a, b) => a - b).join(',');
  assert.equal(sql(`SELECT group_concat(CAST(user_id AS TEXT)) FROM (SELECT user_id FROM notice WHERE kind = 'case.escalated' AND link = '/cases/${c.id}' ORDER BY user_id) AS n`), want);

  // later ticks find nothing more to do
  await sleep(SWEEP_MS * 4);
  assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action = 'escalate'`), '1');
  assert.equal(sql(`SELECT count(*) FROM notice WHERE kind = 'case.escalated' AND link = '/cases/${c.id}'`), '4');
  // and the case page agrees
  const r = await api('GET', `/api/v1/cases/${c.id}`, 'staff');
  assert.equal(r.body.overdue, true);
  assert.equal(r.body.history.filter((x) => x.action === 'escalate').length, 1);
});

test('the late response alone flags overdue_respond without escalating', async () => {
  const c = await report('楼道灯不亮');
  sql(`UPDATE cases SET respond_due = ${Date.now() - 1000} WHERE id = ${c.id}`);
  await until(() => sql(`SELECT overdue_respond FROM cases WHERE id = ${c.id}`) === '1', 10000, 'the response flag');
  assert.equal(sql(`SELECT CAST(overdue AS TEXT) || CASE WHEN escalated_at IS NULL THEN '1' ELSE '0' END FROM cases WHERE id = ${c.id}`), '01');
  assert.equal((await told('street', c.id)).length, 0);
});

test('request sweeps racing the background sweep, and a second process writing, escalate each case once', async () => {
  const ids = [];
  for (let i = 0; i < 12; i++) ids.push((await report(`并发超期测试 ${i}`)).id);
  const list = ids.join(',');
  const past = Date.now() - 1000;
  sql(`UPDATE cases SET respond_due = ${past - 1000}, resolve_due = ${past} WHERE id IN (${list})`);
  // requests that sweep, on four server threads, while another process keeps writing
  const writer = (async () => {
    for (let i = 0; i < 10; i++) {
      sql(`UPDATE app_user SET display_name = display_name WHERE id = ${uid.staff2}`);
      await sleep(20);
    }
  })();
  const who = ['staff', 'secretary', 'street', 'staff2'];
  const rs = await Promise.all(Array.from({ length: 24 }, (_, i) => api('GET', '/api/v1/cases?overdue=1&per_page=5', who[i % 4])));
  await writer;
  for (const r of rs) assert.equal(r.status, 200, JSON.stringify(r.body));
  await sleep(SWEEP_MS * 3);
  assert.equal(sql(`SELECT count(*) FROM cases WHERE id IN (${list}) AND overdue = 1 AND escalated_at IS NOT NULL`), String(ids.length));
  assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id IN (${list}) AND action = 'escalate'`), String(ids.length), 'one escalate step each');
  assert.equal(sql(`SELECT count(*) FROM (SELECT link, user_id FROM notice WHERE kind = 'case.escalated' AND link IN (${ids.map((i) => `'/cases/${i}'`).join(',')}) GROUP BY link, user_id HAVING count(*) > 1) AS twice`), '0', 'nobody told twice');
  assert.equal(sql(`SELECT count(*) FROM notice WHERE kind = 'case.escalated' AND link IN (${ids.map((i) => `'/cases/${i}'`).join(',')})`), String(ids.length * 4));
});

test('an orphan photo is purged in the background, row and file, with its audit entry', async () => {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  const kept = await srv.api('POST', '/api/v1/case-photos', { token: tok.resident, raw: png, headers: { 'Content-Type': 'image/png' } });
  const r = await srv.api('POST', '/api/v1/case-photos', { token: tok.resident, raw: png, headers: { 'Content-Type': 'image/png' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(kept.status, 201, JSON.stringify(kept.body));
  const file = sql(`SELECT file FROM case_photo WHERE id = ${r.body.id}`);
  const full = path.join(srv.files, 'cases', file);
  assert.ok(existsSync(full));
  // a day and more later, still attached to no case (a second process moves its upload time back)
  sql(`UPDATE case_photo SET created_at = created_at - 25 * 3600000 WHERE id = ${r.body.id}`);
  await until(() => sql(`SELECT count(*) FROM case_photo WHERE id = ${r.body.id}`) === '0', 10000, 'the purge');
  await until(() => !existsSync(full), 5000, 'the file to go');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'case_photo.purge' AND object_id = ${r.body.id}`), '1');
  assert.equal(sql(`SELECT count(*) FROM case_photo WHERE id = ${kept.body.id}`), '1', 'a fresh orphan stays');
});

test('the server stops cleanly with the sweep thread running', async () => {
  // srv.stop() in after() fails on a non-zero exit (sanitizer reports included); a second
  // server with the default interval also starts and stops at once
  const s2 = await startServer({});
  const r = await s2.api('GET', '/api/v1/health');
  assert.equal(r.status, 200);
  await s2.stop();
});
