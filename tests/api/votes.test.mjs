// Deliberation and votes (issue 16), the server side: the registry's
// property records (area in exact hundredths, one owner of several units,
// the developer's unsold units), owners' decisions counted under 民法典 art.
// 278 by the code of `linli votes tally` (boundaries via the API), polls,
// one vote per voter with 50 racing (counted once), changes kept, the close,
// a resident outside the scope, paper ballots with the signed sheet's
// photo, secret votes with receipts, the hash chain checked by
// `linli votes verify` (and a tampered ballot caught), and 加装电梯 with its
// objections resolved before the result is final; topics with support,
// comments, moderation, steps and a meeting's minutes. Runs on both stores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, BIN, ROOT, COMMUNITY, PG, dbSql } from '../lib/server.mjs';

const DAY = 86400000;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let srv;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who] ?? who, body });
const closesAt = (days = 7) => new Date(Date.now() + days * DAY).toISOString();

let B; // building 1号楼 of the demo community (6 floors, 3 单元)
let U2; // household ids of its 单元 2, by id
let firstResident; // household id -> its first resident id
let photo; // a signed sheet uploaded by staff

function verify(vote) {
  try {
    return { code: 0, out: JSON.parse(execFileSync(BIN, ['votes', 'verify', '--db', srv.db, '--vote', String(vote)], { cwd: ROOT, encoding: 'utf8' })) };
  } catch (e) {
    return { code: e.status, out: JSON.parse(e.stdout) };
  }
}

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field);
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
}

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  for (const u of ['admin', 'staff', 'secretary', 'street', 'resident']) tok[u] = (await srv.login(u)).token;
  B = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' AND floors = 6 ORDER BY id LIMIT 1`));
  U2 = sql(`SELECT id FROM household WHERE building_id = ${B} AND unit = 2 ORDER BY id`).split('\n').map(Number);
  assert.ok(U2.length >= 10, 'unit 2 has ten homes or more');
  firstResident = Object.fromEntries(sql(`SELECT household_id, min(id) FROM resident WHERE building_id = ${B} AND status = 'active' GROUP BY household_id`)
    .split('\n').map((l) => l.split('|').map(Number)));
  for (const h of U2.slice(0, 5)) assert.ok(firstResident[h], `home ${h} has a resident`);
  // the account of A's home (the owner lives there: it votes as her)
  const hh = `hh${U2[0]}`;
  srv.linli(['user', 'add', '--db', srv.db, '--username', `v${hh}`, '--password', 'linli2026', '--role', 'resident', '--scope', String(U2[0])]);
  tok[hh] = (await srv.login(`v${hh}`)).token;
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', '310105004001']);
  tok.farstaff = (await srv.login('farstaff')).token;
});

after(async () => {
  await srv?.stop();
});

test('the demo has a lift project with ballots and an objection, and a finished poll that verifies', async () => {
  const lifts = sql('SELECT id, vote_id FROM lift_project').split('\n');
  assert.equal(lifts.length, 1);
  const [liftId, voteId] = lifts[0].split('|').map(Number);
  const r = await api('GET', `/api/v1/lifts/${liftId}`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'voting');
  assert.equal(r.body.objections.length, 1);
  assert.ok(r.body.vote.participation.voters > 0);
  assert.equal(count(`SELECT floors FROM building WHERE id = ${r.body.building_id}`), 6);
  const poll = sql("SELECT id FROM vote WHERE kind = 'poll' AND closed_at IS NOT NULL");
  assert.ok(poll, 'a finished poll');
  assert.equal(verify(poll).code, 0);
  assert.equal(verify(voteId).out.ok, true);
});

test('property records: area in exact hundredths, one owner of several units, unsold; bad input writes nothing', async () => {
  const h = U2[0];
  const before = sql(`SELECT area_cm2, owner_id FROM household_property WHERE household_id = ${h}`);
  const put = (who, body) => api('PUT', `/api/v1/households/${h}/property`, who, body);
  expectError(await put('staff', { area_m2: '100.005', owner_resident_id: firstResident[h] }), 422, 'invalid_area', 'area_m2');
  expectError(await put('staff', { area_m2: -3, owner_resident_id: firstResident[h] }), 422, 'invalid_area', 'area_m2');
  expectError(await put('staff', { owner_resident_id: firstResident[h] }), 422, 'missing_field', 'area_m2');
  expectError(await put('staff', { area_m2: '100' }), 422, 'missing_owner');
  expectError(await put('staff', { area_m2: '100', unsold: true, owner_resident_id: firstResident[h] }), 422, 'unsold_with_owner', 'unsold');
  expectError(await put('staff', { area_m2: '100', owner_name: '王某', owner_id_number: '310105198001011234' }), 422, 'invalid_id_number', 'owner_id_number');
  expectError(await put('staff', { area_m2: '100', owner_resident_id: firstResident[h], colour: 'red' }), 422, 'unknown_field', 'colour');
  expectError(await put('staff', { area_m2: '100', owner_resident_id: 99999999 }), 422, 'unknown_resident', 'owner_resident_id');
  expectError(await put('street', { area_m2: '100', owner_resident_id: firstResident[h] }), 403, 'forbidden');
  assert.equal(sql(`SELECT area_cm2, owner_id FROM household_property WHERE household_id = ${h}`), before, 'nothing written');

  // unit 2: A, B, C, D own one home each (100 m²), X owns two (200 m²),
  // the developer has the other six unsold (300 m² in all): 900 m², 6 owners
  const [a, b, c, d, x1, x2, ...dev] = U2;
  for (const hh of [a, b, c, d, x1]) {
    const r = await api('PUT', `/api/v1/households/${hh}/property`, 'staff', { area_m2: '100.00', owner_resident_id: firstResident[hh] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  let r = await api('PUT', `/api/v1/households/${x2}/property`, 'staff', { area_m2: 100, owner_resident_id: firstResident[x1] });
  assert.equal(r.status, 200);
  assert.equal(r.body.owner.units, 2, 'one owner of two homes');
  assert.equal(r.body.area_m2, '100.00');
  for (const [i, hh] of dev.entries()) {
    r = await api('PUT', `/api/v1/households/${hh}/property`, 'staff', { area_m2: i === 0 ? `${300 - 0.01 * (dev.length - 1)}`.slice(0, 6) : '0.01', unsold: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.owner, null);
  }
  assert.equal(count(`SELECT sum(area_cm2) FROM household_property WHERE household_id IN (${U2.join(',')})`), 90000);
  r = await api('GET', `/api/v1/households/${x1}/property`, 'street');
  assert.equal(r.status, 200);
  assert.equal(r.body.owner.units, 2);
});

async function newVote(body, who = 'staff') {
  const r = await api('POST', '/api/v1/votes', who, { closes_at: closesAt(), ...body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function paper(vote, household, choice) {
  const r = await api('POST', `/api/v1/votes/${vote}/ballots`, 'staff', { choice, channel: 'paper', household_id: household, photo_id: photo });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const cond = (result, name) => result.conditions.find((c) => c.name === name);

test('paper ballots need the signed sheet\'s photo, checked by its content', async () => {
  let r = await srv.api('POST', '/api/v1/vote-photos', { token: tok.staff, raw: Buffer.from('not an image'), headers: { 'Content-Type': 'image/png' } });
  expectError(r, 415, 'not_an_image');
  r = await srv.api('POST', '/api/v1/vote-photos', { token: tok.staff, raw: PNG, headers: { 'Content-Type': 'image/png' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  photo = r.body.id;
  r = await srv.api('GET', `/api/v1/vote-photos/${photo}`, { token: tok.staff });
  assert.equal(r.status, 200);
  assert.deepEqual(Buffer.from(r.body), PNG);
  r = await srv.api('GET', `/api/v1/vote-photos/${photo}`, { token: tok.resident });
  assert.equal(r.status, 403);
});

test('owners\' decisions at their boundaries, counted by the code of linli votes tally', async () => {
  const [a, b, , , x1, , dev0] = U2;
  // special: A yes, B no, X yes, the developer yes: 4/6 owners take part (2/3 exactly),
  // 700/900 m²; 3/4 of them approve (exactly), 600/700 m²
  const v1 = await newVote({ kind: 'owners', matter: 'special', title: '使用维修资金更换单元门禁', scope: 'unit', building_id: B, unit: 2 });
  assert.equal(v1.participation.voters_total, 6, 'X once, the developer once');
  assert.equal(v1.participation.area_total_m2, '900.00');
  await paper(v1.id, a, 'yes');
  await paper(v1.id, b, 'no');
  await paper(v1.id, x1, 'yes');
  await paper(v1.id, dev0, 'yes');
  let r = await api('GET', `/api/v1/votes/${v1.id}/participation`, 'resident');
  assert.equal(r.status, 200, 'the community\'s residents follow the participation');
  assert.equal(r.body.voters, 4);
  r = await api('GET', `/api/v1/votes/${v1.id}/participation`, 'farstaff');
  assert.equal(r.status, 404, 'another community\'s staff does not see it');
  r = await api('GET', `/api/v1/votes/${v1.id}`, 'staff');
  assert.deepEqual(r.body.running, { yes: 3, no: 1, abstain: 0 });
  assert.equal(r.body.participation.area_m2, '700.00');
  r = await api('POST', `/api/v1/votes/${v1.id}/close`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const res = r.body.result;
  assert.equal(res.quorum, true);
  assert.equal(res.approved, true);
  assert.equal(cond(res, 'quorum_owners').value, '4/6');
  assert.equal(cond(res, 'quorum_owners').holds, true, '2/3 exactly is enough (以上)');
  assert.equal(cond(res, 'approval_owners').value, '3/4');
  assert.equal(cond(res, 'approval_owners').holds, true, '3/4 exactly is enough');
  assert.match(cond(res, 'quorum_area').text, /700\.00\/900\.00 77\.78% ≥ 2\/3 ✓/);

  // the same count from `linli votes tally`
  const units = sql(`SELECT household_id, area_cm2, coalesce(owner_id, 0), unsold FROM household_property WHERE household_id IN (${U2.join(',')})`)
    .split('\n').map((l) => l.split('|').map(Number))
    .map(([id, cm2, owner, unsold]) => ({ id: String(id), area_m2: (cm2 / 100).toFixed(2), ...(unsold ? { unsold: true } : { owner: String(owner) }) }));
  const ownerOf = Object.fromEntries(units.map((u) => [u.id, u.owner ?? 'dev']));
  const choiceOf = { [ownerOf[a]]: 'yes', [ownerOf[b]]: 'no', [ownerOf[x1]]: 'yes', dev: 'yes' };
  const ballots = units.filter((u) => choiceOf[u.owner ?? 'dev']).map((u) => ({ unit: u.id, choice: choiceOf[u.owner ?? 'dev'] }));
  const cli = JSON.parse(execFileSync(BIN, ['votes', 'tally'], { input: JSON.stringify({ matter: 'special', units, ballots }), encoding: 'utf8' }));
  assert.deepEqual(res.conditions, cli.conditions);
  assert.equal(res.approved, cli.approved);

  // ordinary: half exactly is not enough (过半数)
  const v2 = await newVote({ kind: 'owners', matter: 'ordinary', title: '更换保洁公司', scope: 'unit', building_id: B, unit: 2 });
  await paper(v2.id, a, 'yes');
  await paper(v2.id, b, 'yes');
  await paper(v2.id, x1, 'no');
  await paper(v2.id, dev0, 'no');
  r = await api('POST', `/api/v1/votes/${v2.id}/close`, 'staff');
  assert.equal(r.body.result.quorum, true);
  assert.equal(cond(r.body.result, 'approval_owners').value, '2/4');
  assert.equal(cond(r.body.result, 'approval_owners').holds, false);
  assert.match(cond(r.body.result, 'approval_owners').text, /50\.00% ≤ 1\/2 ✗/);
  assert.equal(r.body.result.approved, false);

  // the open vote's list is published after the close
  r = await api('GET', `/api/v1/votes/${v2.id}/list`, 'staff');
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 4);
  assert.ok(r.body.items.some((i) => i.name === '建设单位（未售部分）' && i.choice === 'no'));
  assert.equal(verify(v1.id).code, 0);
});

test('bad votes are refused naming the field, and write nothing', async () => {
  const n = count('SELECT count(*) FROM vote');
  const base = { kind: 'owners', matter: 'special', title: '表决', scope: 'unit', building_id: B, unit: 2, closes_at: closesAt() };
  const bad = [
    [{ ...base, kind: 'referendum' }, 422, 'invalid_option', 'kind'],
    [{ ...base, matter: 'urgent' }, 422, 'invalid_matter', 'matter'],
    [{ ...base, rule: { approval: '1/2' } }, 422, 'not_for_owners', 'rule'],
    [{ ...base, scope: 'street' }, 422, 'invalid_option', 'scope'],
    [{ ...base, building_id: 99999 }, 422, 'unknown_building', 'building_id'],
    [{ ...base, closes_at: new Date(Date.now() - DAY).toISOString() }, 422, 'closes_in_past', 'closes_at'],
    [{ ...base, closes_at: 'tomorrow' }, 422, 'invalid_time', 'closes_at'],
    [{ ...base, unit: 1 }, 422, 'registry_incomplete', 'scope'],
    [{ ...base, hobby: 1 }, 422, 'unknown_field', 'hobby'],
    [{ kind: 'poll', per: 'family', title: '意见', scope: 'community', closes_at: closesAt() }, 422, 'invalid_option', 'per'],
    [{ kind: 'poll', per: 'household', title: '意见', scope: 'community', rule: { approval: '3/2' }, closes_at: closesAt() }, 422, 'invalid_fraction', 'rule.approval'],
  ];
  // unit 1's homes are the demo's, all registered: make one incomplete for the registry check
  sql(`DELETE FROM household_property WHERE household_id = (SELECT max(id) FROM household WHERE building_id = ${B} AND unit = 1)`);
  for (const [body, status, code, field] of bad)
    expectError(await api('POST', '/api/v1/votes', 'staff', body), status, code, field);
  expectError(await api('POST', '/api/v1/votes', 'resident', base), 403, 'forbidden');
  expectError(await api('POST', '/api/v1/votes', 'street', base), 403, 'forbidden');
  const r = await srv.api('POST', '/api/v1/votes', { token: tok.staff, raw: '{"kind":', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.equal(count('SELECT count(*) FROM vote'), n, 'nothing written');
});

test('a resident votes once in her scope: 50 racing ballots count once; outside the scope, refused', async () => {
  const hh = `hh${U2[0]}`;
  const once = await newVote({ kind: 'poll', per: 'household', title: '单元楼道加装感应灯', scope: 'unit', building_id: B, unit: 2, changeable: false });
  const results = await Promise.all(Array.from({ length: 50 }, () => api('POST', `/api/v1/votes/${once.id}/ballots`, hh, { choice: 'yes' })));
  const codes = results.map((r) => r.status).sort();
  assert.equal(codes.filter((c) => c === 201).length, 1, codes.join(','));
  for (const r of results.filter((x) => x.status !== 201)) expectError(r, 409, 'already_voted');
  assert.equal(count(`SELECT count(*) FROM vote_ballot WHERE vote_id = ${once.id}`), 1);
  assert.equal(count(`SELECT voters_in FROM vote WHERE id = ${once.id}`), 1);

  const changeable = await newVote({ kind: 'poll', per: 'household', title: '单元楼道刷白', scope: 'unit', building_id: B, unit: 2 });
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => api('POST', `/api/v1/votes/${changeable.id}/ballots`, hh, { choice: i % 2 ? 'yes' : 'no' })));
  assert.ok(many.every((r) => r.status === 201), many.map((r) => r.status).join(','));
  assert.equal(many.filter((r) => r.body.changed === false).length, 1, 'one first ballot, 49 changes');
  assert.equal(count(`SELECT count(*) FROM vote_ballot WHERE vote_id = ${changeable.id}`), 50, 'every change kept');
  assert.equal(count(`SELECT count(*) FROM vote_current WHERE vote_id = ${changeable.id}`), 1);
  const v = await api('GET', `/api/v1/votes/${changeable.id}`, hh);
  assert.equal(v.body.participation.voters, 1);
  assert.equal(v.body.participation.ballots, 50);
  const last = many.reduce((m, r) => (r.body.seq > m.body.seq ? r : m));
  assert.equal(v.body.mine.choice, last.body.choice, 'her last ballot counts');
  assert.equal(verify(changeable.id).out.ok, true);

  // outside the scope: the demo resident lives in 单元 1
  const n = count('SELECT count(*) FROM vote_ballot');
  expectError(await api('POST', `/api/v1/votes/${changeable.id}/ballots`, 'resident', { choice: 'yes' }), 403, 'out_of_scope');
  expectError(await api('POST', `/api/v1/votes/${changeable.id}/ballots`, hh, { choice: 'maybe' }), 422, 'invalid_choice', 'choice');
  expectError(await api('POST', `/api/v1/votes/${changeable.id}/ballots`, hh, { choice: 'yes', household_id: U2[1] }), 422, 'staff_only', 'household_id');
  expectError(await api('POST', `/api/v1/votes/${changeable.id}/ballots`, 'staff', { choice: 'yes', channel: 'paper', household_id: U2[1] }), 422, 'missing_field', 'photo_id');
  expectError(await api('POST', `/api/v1/votes/${changeable.id}/ballots`, 'street', { choice: 'yes' }), 403, 'forbidden');
  assert.equal(count('SELECT count(*) FROM vote_ballot'), n, 'nothing written');
});

test('an owner changes her vote until the close; after it, refused; receipts tell which ballot counts', async () => {
  const hh = `hh${U2[0]}`;
  const v = await newVote({ kind: 'owners', matter: 'ordinary', title: '单元外墙清洗', scope: 'unit', building_id: B, unit: 2, secret: true });
  const first = await api('POST', `/api/v1/votes/${v.id}/ballots`, hh, { choice: 'yes' });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.changed, false);
  let r = await api('GET', `/api/v1/votes/${v.id}`, hh);
  assert.equal(r.body.running, undefined, 'a secret vote shows no running count');
  assert.equal(r.body.participation.voters, 1);
  assert.equal(r.body.participation.area_m2, '100.00');
  const second = await api('POST', `/api/v1/votes/${v.id}/ballots`, hh, { choice: 'no' });
  assert.equal(second.body.changed, true);
  r = await api('GET', `/api/v1/votes/${v.id}`, hh);
  assert.equal(r.body.mine.choice, 'no');
  assert.equal(r.body.participation.voters, 1, 'a change is not a second voter');
  r = await api('POST', `/api/v1/votes/${v.id}/close`, 'secretary');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.result.owners_participating, 1);
  expectError(await api('POST', `/api/v1/votes/${v.id}/ballots`, hh, { choice: 'yes' }), 409, 'vote_closed');
  expectError(await api('POST', `/api/v1/votes/${v.id}/close`, 'staff'), 409, 'vote_closed');
  assert.equal(count(`SELECT count(*) FROM vote_ballot WHERE vote_id = ${v.id}`), 2);
  expectError(await api('GET', `/api/v1/votes/${v.id}/list`, hh), 403, 'secret_vote');
  r = await api('GET', `/api/v1/votes/${v.id}/receipts/${first.body.receipt}`, hh);
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.choice, r.body.counted], ['yes', false]);
  r = await api('GET', `/api/v1/votes/${v.id}/receipts/${second.body.receipt}`, hh);
  assert.deepEqual([r.body.choice, r.body.counted], ['no', true]);
  expectError(await api('GET', `/api/v1/votes/${v.id}/receipts/AAAAAAAAAAAA`, hh), 404, 'not_found', 'code');
});

test('linli votes verify recounts from the chain and catches a changed ballot', async () => {
  const v = await newVote({ kind: 'poll', per: 'household', title: '自行车棚改造', scope: 'unit', building_id: B, unit: 2 });
  for (const [h, c] of [[U2[0], 'yes'], [U2[1], 'no'], [U2[2], 'yes'], [U2[0], 'no']]) await paper(v.id, h, c);
  const closed = await api('POST', `/api/v1/votes/${v.id}/close`, 'staff');
  assert.equal(closed.body.result.yes, 1);
  assert.equal(closed.body.result.voters_total, U2.length);
  let out = verify(v.id);
  assert.equal(out.code, 0, JSON.stringify(out.out));
  assert.deepEqual([out.out.ballots, out.out.voters, out.out.result_matches], [4, 3, true]);
  assert.equal(out.out.head, closed.body.chain_head);
  const r = await api('GET', `/api/v1/votes/${v.id}/verify`, 'staff');
  assert.equal(r.body.ok, true);

  sql(`UPDATE vote_ballot SET choice = 'yes' WHERE vote_id = ${v.id} AND seq = 2`);
  sql(`UPDATE vote_current SET choice = 'yes' WHERE vote_id = ${v.id} AND ballot_id = (SELECT id FROM vote_ballot WHERE vote_id = ${v.id} AND seq = 2)`);
  out = verify(v.id);
  assert.equal(out.code, 1);
  assert.equal(out.out.ok, false);
  assert.ok(out.out.problems.some((p) => /ballot 2: its hash/.test(p)), out.out.problems.join('; '));
  assert.equal(out.out.result_matches, false, 'the recount differs from the published result');
});

test('加装电梯: the city\'s settings, occupied units\' consent, objections resolved before the result is final', async () => {
  let r = await api('GET', '/api/v1/lift-settings/310100', 'staff');
  assert.equal(r.status, 200);
  assert.equal(r.body.default, true);
  assert.equal(r.body.settings.approval, '3/4');
  expectError(await api('PUT', '/api/v1/lift-settings/310100', 'staff', { notice_days: 0 }), 403, 'forbidden');
  expectError(await api('PUT', '/api/v1/lift-settings/310100', 'admin', { notice_days: 99 }), 422, 'out_of_range', 'notice_days');
  expectError(await api('PUT', '/api/v1/lift-settings/310100', 'admin', { notice_day_kind: 'lunar' }), 422, 'invalid_option', 'notice_day_kind');

  const [a, b, c, , x1, , dev0] = U2;
  const base = { building_id: B, unit: 2, closes_at: closesAt(), affected: [a] };
  expectError(await api('POST', '/api/v1/lifts', 'staff', { ...base, affected: [U2[0], 1] }), 422, 'unknown_household', 'affected[1]');
  expectError(await api('POST', '/api/v1/lifts', 'staff', { ...base, unit: 9 }), 422, 'unknown_unit', 'unit');
  r = await api('POST', '/api/v1/lifts', 'staff', base);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const lift = r.body.id, vote = r.body.vote.id;
  assert.deepEqual(r.body.vote.rule, { quorum: '2/3', approval: '3/4', approval_strict: false });
  expectError(await api('POST', '/api/v1/lifts', 'staff', base), 409, 'lift_exists', 'unit');

  // everyone but A (whose home the shaft occupies) agrees
  await paper(vote, a, 'no');
  for (const h of [b, c, x1, dev0]) await paper(vote, h, 'yes');
  // an objection from the unit, by a resident of it; one from outside refused
  const hh = `hh${U2[0]}`;
  expectError(await api('POST', `/api/v1/lifts/${lift}/objections`, 'resident', { text: '我不同意' }), 403, 'out_of_scope');
  r = await api('POST', `/api/v1/lifts/${lift}/objections`, hh, { text: '井道挡住我家采光，要求补偿' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const objection = r.body.objections[0].id;
  expectError(await api('POST', `/api/v1/lifts/${lift}/finalize`, 'staff'), 409, 'not_closed');
  r = await api('POST', `/api/v1/votes/${vote}/close`, 'staff');
  assert.equal(r.status, 200);
  const res = r.body.result;
  assert.equal(cond(res, 'approval_owners').holds, true, '4/5 ≥ 3/4');
  assert.equal(cond(res, 'occupied_consent').value, '0/1');
  assert.equal(cond(res, 'occupied_consent').holds, false);
  assert.equal(res.approved, false, 'the occupied home\'s owner did not consent');
  r = await api('GET', `/api/v1/lifts/${lift}`, 'staff');
  assert.equal(r.body.state, 'notice', '10 calendar days of 公示 by default');
  assert.ok(r.body.summary.some((s) => /占用专有部分的业主同意 0\/1/.test(s)));
  expectError(await api('POST', `/api/v1/lifts/${lift}/finalize`, 'staff'), 409, 'notice_running');

  // the project's own settings do not change with the city's; with no notice period, objections still hold it
  sql(`UPDATE lift_project SET notice_until = notice_from WHERE id = ${lift}`);
  r = await api('GET', `/api/v1/lifts/${lift}`, 'staff');
  assert.equal(r.body.state, 'objections');
  expectError(await api('POST', `/api/v1/lifts/${lift}/finalize`, 'staff'), 409, 'objections_open');
  expectError(await api('POST', `/api/v1/lift-objections/${objection}/resolve`, 'staff', {}), 422, 'missing_field', 'notes');
  expectError(await api('POST', `/api/v1/lift-objections/${objection}/resolve`, hh, { notes: '自己解决' }), 403, 'forbidden');
  r = await api('POST', `/api/v1/lift-objections/${objection}/resolve`, 'staff', { notes: '居委会组织协调：施工方调整井道位置，补偿采光损失' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.objections[0].resolved, true);
  assert.equal(r.body.state, 'ready');
  expectError(await api('POST', `/api/v1/lift-objections/${objection}/resolve`, 'staff', { notes: '再次' }), 409, 'already_resolved');
  r = await api('POST', `/api/v1/lifts/${lift}/finalize`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.final, true);
  assert.equal(r.body.vote.result.approved, false);
  expectError(await api('POST', `/api/v1/lifts/${lift}/objections`, hh, { text: '晚了' }), 409, 'final');
  assert.equal(verify(vote).code, 0);
});

test('a per-city rule: working-day notice and no occupied consent', async () => {
  let r = await api('PUT', '/api/v1/lift-settings/310100', 'admin', { notice_days: 5, notice_day_kind: 'working', occupied_consent: false, approval: '2/3' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.default, false);
  assert.equal(r.body.settings.approval, '2/3');
  r = await api('POST', '/api/v1/lifts', 'staff', { building_id: B, unit: 2, closes_at: closesAt() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const lift = r.body.id;
  for (const h of [U2[0], U2[1], U2[4]]) await paper(r.body.vote.id, h, 'yes');
  await paper(r.body.vote.id, U2[6], 'no');
  r = await api('POST', `/api/v1/votes/${r.body.vote.id}/close`, 'staff');
  assert.equal(cond(r.body.result, 'approval_owners').threshold, '2/3');
  assert.equal(cond(r.body.result, 'occupied_consent'), undefined);
  r = await api('GET', `/api/v1/lifts/${lift}`, 'staff');
  const from = Date.parse(r.body.notice.from), until = Date.parse(r.body.notice.until);
  assert.ok(until - from >= 5 * DAY, `5 working days: ${r.body.notice.from} → ${r.body.notice.until}`);
});

test('topics: raised, supported once, commented, moderated, moved step by step; a meeting with attendance and minutes', async () => {
  const hh = `hh${U2[0]}`;
  const n0 = count('SELECT count(*) FROM topic');
  const short = await api('POST', '/api/v1/topics', hh, { title: '短', body: '单元门禁经常坏，希望更换。', scope: 'unit' });
  assert.equal(short.status, 422);
  assert.equal(short.body.error.field, 'title');
  expectError(await api('POST', '/api/v1/topics', hh, { title: '更换单元门禁', body: '单元门禁经常坏，希望更换。', scope: 'unit', building_id: B }), 422, 'staff_only', 'building_id');
  expectError(await api('POST', '/api/v1/topics', hh, { title: '更换单元门禁', body: '单元门禁经常坏，希望更换。', scope: 'street' }), 422, 'invalid_option', 'scope');
  assert.equal(count('SELECT count(*) FROM topic'), n0, 'nothing written');
  let r = await api('POST', '/api/v1/topics', hh, { title: '更换单元门禁', body: '单元门禁经常坏，老人进出不方便，希望更换。', scope: 'unit' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const topic = r.body.id;
  assert.deepEqual([r.body.scope, r.body.building_id, r.body.unit, r.body.state, r.body.state_label], ['unit', B, 2, 'collecting', '征集']);

  // support once each; withdraw
  r = await api('POST', `/api/v1/topics/${topic}/support`, 'resident');
  assert.equal(r.status, 201);
  assert.equal(r.body.supports, 1);
  r = await api('POST', `/api/v1/topics/${topic}/support`, 'resident');
  assert.equal(r.status, 200);
  assert.equal(r.body.supports, 1, 'supported once');
  r = await api('POST', `/api/v1/topics/${topic}/support`, hh);
  assert.equal(r.body.supports, 2);
  r = await api('DELETE', `/api/v1/topics/${topic}/support`, hh);
  assert.equal(r.body.supports, 1);

  // comments, one hidden with a reason
  r = await api('POST', `/api/v1/topics/${topic}/comments`, 'resident', { text: '同意，门禁卡也经常失灵，手机号 13912345678 可联系我' });
  assert.equal(r.status, 201);
  const comment = r.body.comments[0].id;
  expectError(await api('POST', `/api/v1/topic-comments/${comment}/hide`, hh, { reason: '含个人信息' }), 403, 'forbidden');
  r = await api('POST', `/api/v1/topic-comments/${comment}/hide`, 'staff', { reason: '含个人信息' });
  assert.equal(r.status, 200);
  assert.equal(r.body.comments[0].text.includes('13912345678'), true, 'staff still read it');
  r = await api('GET', `/api/v1/topics/${topic}`, hh);
  assert.equal(r.body.comments[0].hidden, true);
  assert.equal(r.body.comments[0].text.includes('13912345678'), false, 'residents do not');

  // states one step at a time, each recorded
  expectError(await api('POST', `/api/v1/topics/${topic}/state`, 'staff', { state: 'voting' }), 409, 'invalid_transition', 'state');
  expectError(await api('POST', `/api/v1/topics/${topic}/state`, hh, { state: 'consulting' }), 403, 'forbidden');
  r = await api('POST', `/api/v1/topics/${topic}/state`, 'staff', { state: 'consulting', note: '支持人数达到要求' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.steps.map((s) => [s.kind, s.state]), [['raised', 'collecting'], ['state', 'consulting']]);
  assert.equal(r.body.next_state, 'voting');

  // a meeting: invited from the registry, attendance, minutes published to the topic
  const invited = [firstResident[U2[0]], firstResident[U2[1]], firstResident[U2[2]]];
  const m0 = count('SELECT count(*) FROM meeting');
  const starts_at = new Date(Date.now() + 2 * DAY).toISOString();
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at, place: '议事厅', participants: [invited[0], 99999999] }), 422, 'unknown_resident', 'participants[1]');
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { place: '议事厅' }), 422, 'missing_field', 'starts_at');
  assert.equal(count('SELECT count(*) FROM meeting'), m0, 'nothing written');
  r = await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at, place: '议事厅', participants: invited });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const meeting = r.body.id;
  assert.equal(r.body.participants.length, 3);
  r = await api('POST', `/api/v1/meetings/${meeting}/attendance`, 'staff', { resident_id: invited[1] });
  assert.equal(r.body.participants.find((p) => p.resident_id === invited[1]).attended, true);
  expectError(await api('POST', `/api/v1/meetings/${meeting}/attendance`, 'staff', { resident_id: firstResident[U2[4]] }), 422, 'not_invited', 'resident_id');
  r = await api('POST', `/api/v1/meetings/${meeting}/minutes`, 'staff', { minutes: '与会居民一致同意更换门禁，由物业出三家报价。', decisions: '进入表决' });
  assert.equal(r.status, 200);
  r = await api('GET', `/api/v1/topics/${topic}`, hh);
  assert.equal(r.body.meetings.length, 1);
  assert.equal(r.body.meetings[0].attended, 1);
  assert.match(r.body.meetings[0].minutes, /三家报价/);
  assert.deepEqual(r.body.steps.map((s) => s.kind), ['raised', 'state', 'meeting', 'minutes']);

  // hidden: gone from other residents' lists and pages, the author and staff still see it
  r = await api('POST', `/api/v1/topics/${topic}/hide`, 'staff', { reason: '与已有议题重复' });
  assert.equal(r.body.hidden, true);
  r = await api('GET', '/api/v1/topics', 'resident');
  assert.ok(!r.body.items.some((t) => t.id === topic));
  expectError(await api('GET', `/api/v1/topics/${topic}`, 'resident'), 404, 'not_found');
  assert.equal((await api('GET', `/api/v1/topics/${topic}`, hh)).status, 200);
  r = await api('POST', `/api/v1/topics/${topic}/hide`, 'staff', { reason: null });
  assert.equal(r.body.hidden, false);

  // merged into another: its supporters support the other, once
  r = await api('POST', '/api/v1/topics', 'staff', { title: '全社区门禁系统升级', body: '各楼单元门禁统一升级为人脸识别加刷卡。', scope: 'community' });
  const other = r.body.id;
  await api('POST', `/api/v1/topics/${other}/support`, 'resident');
  expectError(await api('POST', `/api/v1/topics/${topic}/merge`, 'staff', { into: topic }), 422, 'unknown_topic', 'into');
  r = await api('POST', `/api/v1/topics/${topic}/merge`, 'staff', { into: other, note: '同一件事' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.merged_into, other);
  r = await api('GET', `/api/v1/topics/${other}`, 'staff');
  assert.equal(r.body.supports, 1, 'the resident who supported both counts once');
  expectError(await api('POST', `/api/v1/topics/${topic}/support`, hh), 409, 'closed_topic');
  expectError(await api('POST', `/api/v1/topics/${topic}/merge`, 'staff', { into: other }), 409, 'already_merged');
});
