// Points (积分) and partner merchants (issue 18): a community's rules, the
// ledger (earn by attendance through activities, spend by redeeming an
// offer's QR code, staff adjustments with a reason), append-only entries,
// a balance that never goes negative even under concurrent spends from two
// servers, sum(entries) = balance after randomized concurrent earn, spend and
// adjust; merchants, offers, market stalls, redemptions and the yearly
// report (JSON and Excel). Bad input gets a 4xx in Chinese and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serveAgain, COMMUNITY, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001';
const MIN = 60000;
const HOUR = 60 * MIN;

let srv, srv2;
const tok = {};
const rid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body, s = srv) => s.api(method, p, { token: tok[who], body });

function iso(ms) {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00';
}

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  if (code !== undefined) assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'the message is Chinese');
}

const writes = () => sql(`SELECT (SELECT count(*) FROM points_entry) || ',' || (SELECT coalesce(sum(balance), 0) FROM points_account) || ',' ||
  (SELECT count(*) FROM points_redemption) || ',' || (SELECT count(*) FROM merchant) || ',' || (SELECT count(*) FROM merchant_offer) || ',' ||
  (SELECT count(*) FROM market_stall) || ',' || (SELECT count(*) FROM points_rule)`);

/* Every account's balance equals the sum of its entries, and no balance is negative. */
function reconciles() {
  const bad = sql(`SELECT count(*) FROM points_account p WHERE p.balance <> (SELECT coalesce(sum(e.delta), 0) FROM points_entry e WHERE e.resident_id = p.resident_id)
    OR p.balance < 0`);
  assert.equal(bad, '0', 'sum(entries) = balance for every account');
  assert.equal(sql('SELECT count(*) FROM points_entry e WHERE NOT EXISTS (SELECT 1 FROM points_account p WHERE p.resident_id = e.resident_id)'), '0');
}

const USERS = 8;
let users = [];

before(async () => {
  srv = await startServer({ demo: true, residents: 1500 });
  for (const u of ['street', 'secretary', 'staff', 'resident']) tok[u] = (await srv.login(u)).token;
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', OTHER]);
  tok.farstaff = (await srv.login('farstaff')).token;
  sql(`INSERT INTO app_user (username, password_hash, role, scope, household_id, display_name, created_at, resident_id)
       SELECT 'pt' || r.id, (SELECT password_hash FROM app_user WHERE username = 'resident'), 'resident', r.community,
              r.household_id, r.name, 0, r.id
       FROM resident r WHERE r.community = '${COMMUNITY}' AND r.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = r.id OR u.household_id = r.household_id)
         AND NOT EXISTS (SELECT 1 FROM points_account p WHERE p.resident_id = r.id)
       ORDER BY r.id LIMIT ${USERS}`);
  users = sql(`SELECT username FROM app_user WHERE username LIKE 'pt%' ORDER BY id`).split('\n');
  assert.equal(users.length, USERS);
  for (const u of users) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    rid[u] = Number(sql(`SELECT resident_id FROM app_user WHERE id = ${user.id}`));
  }
  rid.resident = Number((await api('GET', '/api/v1/points/mine', 'resident')).body.resident_id);
});

after(async () => {
  if (srv2) await srv2.stop();
  if (srv) await srv.stop();
});

test('the demo: rules, accounts earned by past attendance, merchants with offers, stalls and redemptions; the ledger reconciles', async () => {
  reconciles();
  const rules = await api('GET', `/api/v1/points/rules?community=${COMMUNITY}`, 'staff');
  assert.equal(rules.status, 200);
  assert.equal(rules.body.rules.length, 6);
  assert.equal(rules.body.rules.find((r) => r.rule === 'volunteer_hour').yearly_cap, 2000);
  const acc = await api('GET', `/api/v1/points/accounts?community=${COMMUNITY}`, 'staff');
  assert.equal(acc.status, 200);
  assert.ok(acc.body.total > 5, 'past attendance earned points');
  assert.ok(acc.body.totals.earned > 0 && acc.body.totals.spent > 0);
  assert.ok(count("SELECT count(*) FROM points_entry WHERE kind = 'earn' AND ref_kind = 'activity'") > 5);
  const mine = await api('GET', '/api/v1/points/mine', 'resident');
  assert.equal(mine.status, 200);
  assert.ok(mine.body.balance > 0 && mine.body.entries.length > 0 && mine.body.redemptions.length > 0);
  const ms = await api('GET', `/api/v1/merchants?community=${COMMUNITY}`, 'staff');
  assert.equal(ms.body.items.length, 4);
  assert.ok(ms.body.items.every((m) => !/\d{11}/.test(m.phone)), 'phones masked in the list');
  const one = await api('GET', `/api/v1/merchants/${ms.body.items[0].id}`, 'staff');
  assert.doesNotMatch(one.body.phone, /^\d{11}$/, 'masked unless revealed');
  const audited = count(`SELECT count(*) FROM audit WHERE action = 'merchant.view_phone'`);
  const full = await api('GET', `/api/v1/merchants/${ms.body.items[0].id}?reveal=1`, 'staff');
  assert.match(full.body.phone, /^\d{11}$/);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'merchant.view_phone'`), audited + 1, 'the full view is audited');
  assert.equal((await api('GET', `/api/v1/merchants/${ms.body.items[0].id}?reveal=1`, 'street')).status, 403);
  assert.ok(count('SELECT count(*) FROM market_stall') >= 2);
  assert.ok(count('SELECT count(*) FROM points_redemption') >= 1);
  assert.equal((await api('GET', `/api/v1/merchants?community=${COMMUNITY}`, 'resident')).status, 403);
  assert.equal((await api('GET', `/api/v1/merchants?community=${COMMUNITY}`, 'farstaff')).status, 403);
});

test('rules: staff set them, bad input is refused and writes nothing', async () => {
  const put = (who, body) => api('PUT', '/api/v1/points/rules', who, body);
  const before = writes();
  expectError(await put('staff', { community: COMMUNITY, rules: [{ rule: 'nope', points: 1 }] }), 422, 'unknown_rule', 'rule');
  expectError(await put('staff', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: 'x' }] }), 422, 'invalid_type', 'points');
  expectError(await put('staff', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: -1 }] }), 422, undefined, 'points');
  expectError(await put('staff', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: 1, extra: 1 }] }), 422, 'unknown_field', 'extra');
  expectError(await put('staff', { community: COMMUNITY, rules: 'x' }), 422, 'invalid_type', 'rules');
  expectError(await put('staff', { community: COMMUNITY, rules: [], x: 1 }), 422, 'unknown_field', 'x');
  expectError(await put('staff', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: 1 }, { rule: 'attend_market', points: 2 }] }), 422, 'duplicate_rule');
  assert.equal((await put('farstaff', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: 1 }] })).status, 403);
  assert.equal((await put('resident', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: 1 }] })).status, 403);
  assert.equal(writes(), before, 'nothing written');
  const r = await put('staff', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: 7, yearly_cap: 10 }] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.rules.find((x) => x.rule === 'attend_market'), { rule: 'attend_market', label: '参加便民集市', points: 7, yearly_cap: 10 });
  assert.equal(sql(`SELECT points || ',' || yearly_cap FROM points_rule WHERE community = '${COMMUNITY}' AND rule = 'attend_market'`), '7,10');
});

async function market(extra = {}) {
  const start = Date.now() + 10 * MIN;
  const r = await api('POST', '/api/v1/activities', 'staff', {
    community: COMMUNITY, title: '测试集市', kind: 'market', start: iso(start), end: iso(start + HOUR), capacity: 200, walk_in: true, ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const signIn = (id, who, s = srv) => api('POST', `/api/v1/activities/${id}/attendance`, 'staff', { resident_id: rid[who], action: 'in' }, s);

test('attendance earns the rule\'s points once per activity, held to the yearly cap', async () => {
  await api('PUT', '/api/v1/points/rules', 'staff', { community: COMMUNITY, rules: [{ rule: 'attend_market', points: 7, yearly_cap: 10 }] });
  const u = users[0];
  const a1 = await market();
  const i1 = await signIn(a1.id, u);
  assert.equal(i1.status, 200, JSON.stringify(i1.body));
  assert.equal(i1.body.points, 7);
  // signing out and in again at the same activity earns nothing more
  await api('POST', `/api/v1/activities/${a1.id}/attendance`, 'staff', { resident_id: rid[u], action: 'out' });
  assert.equal(count(`SELECT count(*) FROM points_entry WHERE resident_id = ${rid[u]} AND ref_kind = 'activity' AND ref_id = ${a1.id}`), 1);
  const a2 = await market();
  assert.equal((await signIn(a2.id, u)).body.points, 3, 'the cap of 10 a year leaves 3');
  const a3 = await market();
  assert.equal((await signIn(a3.id, u)).body.points, 0, 'the cap is reached');
  const mine = await api('GET', '/api/v1/points/mine', u);
  assert.equal(mine.body.balance, 10);
  assert.deepEqual(mine.body.entries.map((e) => [e.kind, e.delta, e.rule]), [['earn', 3, 'attend_market'], ['earn', 7, 'attend_market']]);
  assert.equal(mine.body.entries[1].what, '测试集市');
  reconciles();
});

test('entries are append-only: UPDATE and DELETE are refused by the database; the CHECK refuses a negative balance', async () => {
  const id = sql('SELECT min(id) FROM points_entry');
  assert.throws(() => sql(`UPDATE points_entry SET delta = 1000 WHERE id = ${id}`), /append-only/);
  assert.throws(() => sql(`DELETE FROM points_entry WHERE id = ${id}`), /append-only/);
  assert.throws(() => sql(`UPDATE points_account SET balance = -1 WHERE resident_id = ${rid[users[0]]}`), /CHECK|check/);
  reconciles();
});

test('adjust: staff only, with a reason, never below zero; bad input writes nothing', async () => {
  const u = users[1];
  const adj = (who, body, r = rid[u]) => api('POST', `/api/v1/points/accounts/${r}/adjust`, who, body);
  const before = writes();
  expectError(await adj('staff', { delta: 5 }), 422, 'missing_field', 'reason');
  expectError(await adj('staff', { delta: 5, reason: '' }), 422, undefined, 'reason');
  expectError(await adj('staff', { delta: 0, reason: '测试调整' }), 422, 'zero_delta', 'delta');
  expectError(await adj('staff', { delta: 'x', reason: '测试调整' }), 422, 'invalid_type', 'delta');
  expectError(await adj('staff', { delta: 5, reason: '测试调整', extra: true }), 422, 'unknown_field', 'extra');
  expectError(await adj('staff', { delta: -1, reason: '测试扣减' }), 409, 'insufficient_points', 'delta');
  assert.equal((await adj('farstaff', { delta: 5, reason: '测试调整' })).status, 404);
  assert.equal((await adj('resident', { delta: 5, reason: '测试调整' })).status, 403);
  assert.equal((await adj('staff', { delta: 5, reason: '测试调整' }, 999999999)).status, 404);
  assert.equal(writes(), before, 'nothing written');
  const r = await adj('staff', { delta: 30, reason: '楼道清洁表现突出' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.balance, 30);
  assert.equal(r.body.entries[0].reason, '楼道清洁表现突出');
  assert.equal(r.body.entries[0].created_by.length > 0, true);
  expectError(await adj('staff', { delta: -31, reason: '测试扣减' }), 409, 'insufficient_points');
  assert.equal((await adj('staff', { delta: -10, reason: '重复发放更正' })).body.balance, 20);
  const led = await api('GET', `/api/v1/points/accounts/${rid[u]}`, 'staff');
  assert.equal(led.body.balance, 20);
  assert.equal(led.body.entries.length, 2);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'points.adjust'`) >= 2, true);
  reconciles();
});

let offer; // a discount of 30 points
let merchant;

test('merchants and offers: staff create and edit; bad input is refused and writes nothing', async () => {
  const before = writes();
  const post = (who, body) => api('POST', '/api/v1/merchants', who, body);
  expectError(await post('staff', { community: COMMUNITY, kind: '理发' }), 422, undefined, 'name');
  expectError(await post('staff', { community: COMMUNITY, name: '测试店', kind: '理发', phone: 'abc' }), 422, 'invalid_phone', 'phone');
  expectError(await post('staff', { community: COMMUNITY, name: '测试店', kind: '理发', state: 'x' }), 422, 'invalid_state', 'state');
  expectError(await post('staff', { community: COMMUNITY, name: '测试店', kind: '理发', free_stall: 'yes' }), 422, 'invalid_type', 'free_stall');
  expectError(await post('staff', { community: COMMUNITY, name: '测试店', kind: '理发', space_m2: -3 }), 422, undefined, 'space_m2');
  expectError(await post('staff', { community: COMMUNITY, name: '测试店', kind: '理发', owner: 'x' }), 422, 'unknown_field', 'owner');
  assert.equal((await post('farstaff', { community: COMMUNITY, name: '测试店', kind: '理发' })).status, 403);
  assert.equal(writes(), before);
  const m = await post('staff', { community: COMMUNITY, name: '测试理发店', kind: '理发', address: '长乐路 1 号', phone: '13800001234', space_m2: 12, space_hours: '周一至周五', free_stall: true });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  merchant = m.body;
  assert.notEqual(merchant.phone, '13800001234');
  assert.equal((await api('GET', `/api/v1/merchants/${merchant.id}?reveal=1`, 'staff')).body.phone, '13800001234');
  const off = (who, body, id = merchant.id) => api('POST', `/api/v1/merchants/${id}/offers`, who, body);
  const b2 = writes();
  expectError(await off('staff', { kind: 'discount', title: '理发优惠' }), 422, undefined, 'cost');
  expectError(await off('staff', { kind: 'discount', title: '理发优惠', cost: 0 }), 422, undefined, 'cost');
  expectError(await off('staff', { kind: 'course', title: '书法课', cost: 5 }), 422, 'not_redeemable', 'cost');
  expectError(await off('staff', { kind: 'gift', title: '礼品' }), 422, 'invalid_kind', 'kind');
  assert.equal((await off('staff', { kind: 'course', title: '书法课' }, 999999)).status, 404);
  assert.equal(writes(), b2);
  const o = await off('staff', { kind: 'discount', title: '理发 9 折', cost: 30 });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  offer = o.body.offers.find((x) => x.kind === 'discount');
  assert.ok(offer.token.length > 10);
  assert.equal((await off('staff', { kind: 'course', title: '理发技能公益课' })).status, 201);
  const png = await api('GET', `/api/v1/merchants/${merchant.id}/offers/${offer.id}/qr.png`, 'staff');
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  const course = (await api('GET', `/api/v1/merchants/${merchant.id}`, 'staff')).body.offers.find((x) => x.kind === 'course');
  expectError(await api('GET', `/api/v1/merchants/${merchant.id}/offers/${course.id}/qr.png`, 'staff'), 422, 'not_redeemable');
  const e = await api('PUT', `/api/v1/merchants/${merchant.id}`, 'staff', { contact: '王师傅' });
  assert.equal(e.status, 200);
  assert.equal(e.body.contact, '王师傅');
  assert.equal(e.body.name, '测试理发店');
  expectError(await api('PUT', `/api/v1/merchants/${merchant.id}`, 'staff', { community: OTHER }), 422, 'not_editable', 'community');
});

test('redeem by QR: the offer, her balance, 409 over the balance, a receipt code; foreign and unknown codes', async () => {
  const u = users[1]; // 20 points
  const scan = await api('GET', `/api/v1/offers/scan?token=${offer.token}`, u);
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  assert.deepEqual([scan.body.cost, scan.body.balance, scan.body.enough, scan.body.merchant], [30, 20, false, '测试理发店']);
  const before = writes();
  const red = (who, body) => api('POST', '/api/v1/offers/redeem', who, body);
  expectError(await red(u, { token: offer.token }), 409, 'insufficient_points', 'points');
  expectError(await red(u, { token: 'nonsense' }), 422, 'bad_token', 'token');
  expectError(await red(u, { token: 5 }), 422, 'invalid_type', 'token');
  expectError(await red(u, { token: offer.token, cost: 1 }), 422, 'unknown_field', 'cost');
  expectError(await red(u, {}), 422, undefined, 'token');
  assert.equal((await red('staff', { token: offer.token })).status, 403);
  // an offer of another community's merchant
  const far = await api('POST', '/api/v1/merchants', 'farstaff', { community: OTHER, name: '外社区药店', kind: '药店' });
  const farOffer = (await api('POST', `/api/v1/merchants/${far.body.id}/offers`, 'farstaff', { kind: 'discount', title: '外社区优惠', cost: 1 })).body.offers[0];
  const b2 = writes();
  expectError(await red(u, { token: farOffer.token }), 422, 'bad_token', 'token');
  expectError(await api('GET', `/api/v1/offers/scan?token=${farOffer.token}`, u), 422, 'bad_token', 'token');
  assert.equal(writes(), b2, 'nothing written');
  assert.notEqual(before, b2); // (the far merchant)
  await api('POST', `/api/v1/points/accounts/${rid[u]}/adjust`, 'staff', { delta: 15, reason: '测试补发' });
  const ok = await red(u, { token: offer.token });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.match(ok.body.code, /^\d{6}$/);
  assert.equal(ok.body.balance, 5);
  const list = await api('GET', `/api/v1/merchants/${merchant.id}/redemptions`, 'staff');
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].code, ok.body.code);
  assert.equal(list.body.items[0].cost, 30);
  // a paused offer
  await api('PUT', `/api/v1/merchants/${merchant.id}/offers/${offer.id}`, 'staff', { active: false });
  expectError(await red(u, { token: offer.token }), 409, 'offer_closed');
  await api('PUT', `/api/v1/merchants/${merchant.id}/offers/${offer.id}`, 'staff', { active: true });
  const offers = await api('GET', '/api/v1/offers', u);
  assert.ok(offers.body.items.some((x) => x.id === offer.id));
  assert.ok(!offers.body.items.some((x) => x.id === farOffer.id));
  reconciles();
});

test('market stalls: staff add merchants to a market; not to other kinds; the list shows them', async () => {
  const a = await market();
  const add = (who, body, id = a.id) => api('POST', `/api/v1/activities/${id}/stalls`, who, body);
  expectError(await add('staff', { merchant_id: merchant.id }), 422, undefined, 'provides');
  expectError(await add('staff', { merchant_id: 999999, provides: '理发' }), 422, 'unknown_merchant', 'merchant_id');
  const start = Date.now() + 10 * MIN;
  const course = await api('POST', '/api/v1/activities', 'staff', { community: COMMUNITY, title: '测试课程', kind: 'course', start: iso(start), end: iso(start + HOUR), capacity: 5 });
  assert.equal(course.status, 201, JSON.stringify(course.body));
  expectError(await add('staff', { merchant_id: merchant.id, provides: '理发' }, course.body.id), 422, 'not_market');
  assert.equal((await add('resident', { merchant_id: merchant.id, provides: '理发' })).status, 403);
  const r = await add('staff', { merchant_id: merchant.id, provides: '义务理发' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  expectError(await add('staff', { merchant_id: merchant.id, provides: '义务理发' }), 409, 'already_stall');
  const l = await api('GET', `/api/v1/activities/${a.id}/stalls`, 'resident');
  assert.deepEqual(l.body.items.map((s) => [s.merchant, s.provides]), [['测试理发店', '义务理发']]);
  // a cancelled market takes no more stalls
  const b = await market();
  const c = await api('POST', `/api/v1/activities/${b.id}/cancel`, 'staff', { reason: '天气原因' });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  expectError(await add('staff', { merchant_id: merchant.id, provides: '义务理发' }, b.id), 409, 'cancelled', 'id');
  assert.equal((await api('GET', `/api/v1/activities/${b.id}/stalls`, 'resident')).body.items.length, 0);
});

test('the yearly report: stalls, redemptions, courses and what the community gave; Excel', async () => {
  const y = new Date(Date.now() + 8 * HOUR).getUTCFullYear();
  const r = await api('GET', `/api/v1/merchants/${merchant.id}/report?year=${y}`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.totals, { redemptions: 1, points: 30, stalls: 1, courses: 1 });
  assert.equal(r.body.merchant.space_m2, 12);
  const old = await api('GET', `/api/v1/merchants/${merchant.id}/report?year=${y - 5}`, 'staff');
  assert.deepEqual(old.body.totals, { redemptions: 0, points: 0, stalls: 0, courses: 0 });
  expectError(await api('GET', `/api/v1/merchants/${merchant.id}/report?year=abc`, 'staff'), 400, undefined, 'year');
  const x = await api('GET', `/api/v1/merchants/${merchant.id}/report.xlsx?year=${y}`, 'staff');
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.equal(x.body.subarray(0, 2).toString(), 'PK');
});

test('concurrent spends against one balance from two servers: exactly floor(balance/cost) succeed, the rest 409', async () => {
  srv2 = await serveAgain(srv);
  const u = users[2];
  // two offers of 7 points (a keyed lock per offer lets them run side by side)
  const o1 = (await api('POST', `/api/v1/merchants/${merchant.id}/offers`, 'staff', { kind: 'discount', title: '并发测试一', cost: 7 })).body.offers;
  const tokens = o1.filter((x) => x.cost === 7).map((x) => x.token);
  const o2 = (await api('POST', `/api/v1/merchants/${merchant.id}/offers`, 'staff', { kind: 'discount', title: '并发测试二', cost: 7 })).body.offers;
  tokens.push(...o2.filter((x) => x.cost === 7 && !tokens.includes(x.token)).map((x) => x.token));
  assert.equal(tokens.length, 2);
  assert.equal((await api('POST', `/api/v1/points/accounts/${rid[u]}/adjust`, 'staff', { delta: 100, reason: '并发测试' })).status, 201);
  const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => api('POST', '/api/v1/offers/redeem', u, { token: tokens[i % 2] }, i % 2 ? srv2 : srv)));
  assert.equal(rs.filter((r) => r.status === 201).length, 14, 'floor(100 / 7)');
  assert.equal(rs.filter((r) => r.status === 409 && r.body.error.code === 'insufficient_points').length, 26,
    JSON.stringify(rs.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.body)));
  assert.equal(count(`SELECT balance FROM points_account WHERE resident_id = ${rid[u]}`), 2);
  assert.equal(count(`SELECT count(*) FROM points_redemption WHERE resident_id = ${rid[u]}`), 14, 'no redemption without its spend');
  reconciles();
});

test('randomized concurrent earn, spend and adjust on two servers: every account reconciles, none negative', async () => {
  const who = users.slice(3, 8);
  const cheap = (await api('POST', `/api/v1/merchants/${merchant.id}/offers`, 'staff', { kind: 'discount', title: '随机测试', cost: 3 })).body.offers.find((x) => x.title === '随机测试');
  const markets = [];
  for (let i = 0; i < 4; i++) markets.push(await market());
  let seed = 18;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const ops = [];
  for (let i = 0; i < 120; i++) {
    const u = who[rnd(who.length)];
    const s = i % 2 ? srv2 : srv;
    const op = rnd(3);
    if (op === 0) ops.push(api('POST', '/api/v1/offers/redeem', u, { token: cheap.token }, s));
    else if (op === 1) ops.push(api('POST', `/api/v1/points/accounts/${rid[u]}/adjust`, 'staff', { delta: rnd(2) ? 1 + rnd(9) : -(1 + rnd(9)), reason: '随机调整' }, s));
    else ops.push(signIn(markets[rnd(markets.length)].id, u, s));
  }
  const rs = await Promise.all(ops);
  for (const r of rs)
    assert.ok([200, 201].includes(r.status) || (r.status === 409 && ['insufficient_points', 'already_in'].includes(r.body.error.code)), JSON.stringify(r.body));
  assert.ok(rs.some((r) => r.status === 201) && rs.some((r) => r.status === 409), 'some of each');
  reconciles();
  assert.equal(count(`SELECT count(*) FROM points_entry e JOIN points_account p ON p.resident_id = e.resident_id WHERE e.balance_after < 0`), 0);
});
