/*
 * Care (关爱) on the phone (390×844), issue 15: the volunteer signs in, finds
 * her pairs (grade, last and next visit, overdue marked as the server says),
 * records a visit in one screen with a photo and a need turned into a case,
 * and sees it on time with the next due date; the elder presses 我很好 on
 * her 长辈版 home and sees today done (a second press: already); a relative
 * sees her last check and visit. The 长辈版 sizes (text ≥ 18 px, targets
 * ≥ 60 px) hold on the new pages.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD, apiAs, elderProblems, launchBrowser, newPage, phoneAs as phoneAsIn, shot, startLinli } from './helpers.mjs';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const NEED = '楼道灯坏了，晚上看不见台阶';

let srv, browser, dir, staff, volunteer, elderId;
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' }).trim();
const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const today = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'linli-care-h5-'));
  writeFileSync(join(dir, 'visit.png'), PNG);
  staff = await apiAs(srv.url, 'staff');
  volunteer = await apiAs(srv.url, 'volunteer');
  const elder = await apiAs(srv.url, 'elder');
  elderId = (await elder('/care/mine')).body.self.care_id;
  /* whatever the demo's history holds, today's check is not in yet */
  sql(`DELETE FROM care_check WHERE care_id = ${elderId} AND day = '${today()}'`);
  sql(`UPDATE care_person SET last_check_day = (SELECT max(day) FROM care_check WHERE care_id = ${elderId}) WHERE id = ${elderId}`);
  /* the resident is her relative */
  const resident = await apiAs(srv.url, 'resident');
  const rid = (await resident('/me')).body.user.id;
  const r = await staff(`/care/people/${elderId}/pairs`, json('POST', { user_id: rid, kind: 'relative' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

/* A phone page signed in as @username, in 长辈版 or not. */
const phoneAs = (username, elder) => phoneAsIn(browser, srv.url, username, elder);

test('the volunteer finds her pairs and records a visit with a photo and a need made a case, on time', async () => {
  const mine = (await volunteer('/care/mine')).body;
  const list = (await volunteer('/care/people?per_page=200')).body.items;
  const helped = mine.pairs.filter((p) => p.kind !== 'relative');
  assert.ok(helped.length >= 2, 'the demo volunteer has pairs');
  const overdue = list.filter((p) => p.visit_overdue).length;
  const target = list.find((p) => !p.visit_overdue && !p.away_today);
  assert.ok(target, 'one of her pairs is not overdue');

  const page = await newPage(browser, { phone: true });
  await page.goto(srv.url + '/h5/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', 'volunteer');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-test=care-link]');
  assert.match(await page.textContent('[data-test=care-link]'), new RegExp(`${helped.length} 位老人`));
  await page.click('[data-test=care-link]');
  await page.waitForSelector('[data-test=pair]');
  assert.equal(await page.locator('[data-test=pair]').count(), helped.length, 'every pair listed');
  assert.equal(await page.locator('[data-test=pair-overdue]').count(), overdue, 'overdue marked as the server says');
  if (overdue) assert.equal(await page.locator('[data-test=pair]').first().locator('[data-test=pair-overdue]').count(), 1, 'overdue first');
  const row = page.locator('[data-test=pair]', { hasText: target.name }).first();
  assert.match(await row.textContent(), new RegExp(target.grade_label.replace(/[()（）]/g, '.')));
  await shot(page, 'care-h5-pairs');

  await row.click();
  await page.waitForSelector('[data-test=visit-submit]');
  assert.equal(await page.textContent('[data-test=visit-name]'), target.name);
  await page.click('[data-test=ck-safety-concern]');
  await page.fill('[data-test=visit-notes]', '天冷，提醒关好燃气');
  await page.setInputFiles('[data-test=photo-input]', join(dir, 'visit.png'));
  await page.waitForSelector('[data-test=photo] img');
  await page.waitForFunction(() => !document.querySelector('[data-test=photo] .photo-busy'));
  assert.equal(await page.locator('[data-test=photo]').count(), 1);
  await page.click('[data-test=need-add]');
  await page.fill('[data-test=need-text]', NEED);
  await page.click('[data-test=need-case]');
  /* a need to become a case needs its category: the submit says so and sends nothing */
  const visits = sql(`SELECT count(*) FROM care_visit WHERE care_id = ${target.care_id}`);
  await page.click('[data-test=visit-submit]');
  await page.waitForSelector('[data-test=need-error]');
  assert.match(await page.textContent('[data-test=need-error]'), /报事类别/);
  assert.equal(sql(`SELECT count(*) FROM care_visit WHERE care_id = ${target.care_id}`), visits, 'nothing sent');
  await page.click('[data-test=need-category] >> text=楼道堆物');
  await shot(page, 'care-h5-visit-form');
  await page.click('[data-test=visit-submit]');
  await page.waitForSelector('[data-test=visit-done]');
  assert.equal((await page.textContent('[data-test=visit-on-time]')).trim(), '按时完成');
  assert.match(await page.textContent('[data-test=visit-next]'), /下次走访：.+前/);
  assert.match(await page.textContent('[data-test=visit-cases]'), /#\d+/);
  await shot(page, 'care-h5-visit-done');
  /* back on her list and her form: the visit just made heads it, its photo shown */
  await page.click('[data-test=visit-back]');
  await page.locator('[data-test=pair]', { hasText: target.name }).first().click();
  await page.waitForSelector('[data-test=last-visit-photo]');
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-test=last-visit-photo]');
    return img.complete && img.naturalWidth > 0;
  });
  assert.match(await page.textContent('[data-test=last-visit]'), /今天 · 上门/);
  assert.match(await page.textContent('[data-test=last-visit]'), /需关注：居住安全/);
  await page.locator('[data-test=last-visit]').scrollIntoViewIfNeeded();
  await shot(page, 'care-h5-last-visit');

  const pageJson = (await staff(`/care/people/${target.care_id}`)).body;
  const v = pageJson.visits[0];
  assert.equal(v.checklist.safety, 'concern');
  assert.equal(v.notes, '天冷，提醒关好燃气');
  assert.equal(v.on_time, true);
  assert.equal(v.photos.length, 1, 'the photo went with the visit');
  assert.equal(v.case_ids.length, 1, 'the need became a case');
  assert.equal(sql(`SELECT count(*) FROM cases c JOIN case_category k ON k.id = c.category_id WHERE c.id = ${v.case_ids[0]} AND k.code = 'corridor_clutter' AND c.description LIKE '%${NEED}%'`), '1');
  const img = await fetch(srv.url + v.photos[0].url, { headers: { Cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.ok(Date.parse(pageJson.visit_due_at) > Date.now(), 'the next visit is due later');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('长辈版: the pairs list and the visit form keep 18 px text and 60 px targets', async () => {
  const page = await phoneAs('volunteer', true);
  await page.goto(srv.url + '/h5/#/care');
  await page.waitForSelector('[data-test=pair]');
  await page.evaluate(() => document.fonts.ready);
  assert.deepEqual(await elderProblems(page), [], '/care');
  await shot(page, 'care-h5-pairs-elder');
  await page.locator('[data-test=pair]').first().click();
  await page.waitForSelector('[data-test=visit-submit]');
  await page.click('[data-test=need-add]');
  await page.click('[data-test=need-case]');
  await page.waitForSelector('[data-test=need-category]');
  assert.deepEqual(await elderProblems(page), [], '/care/visit');
  await shot(page, 'care-h5-visit-elder');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the elder presses 我很好 on her 长辈版 home: today is done, a second press says already', async () => {
  const page = await phoneAs('elder', true);
  await page.goto(srv.url + '/h5/#/home');
  await page.waitForSelector('[data-test=elder-tiles] [data-test=peace-button]');
  const btn = page.locator('[data-test=peace-button]');
  assert.match(await btn.textContent(), /我很好/);
  const box = await btn.boundingBox();
  assert.ok(box.width >= 300 && box.height >= 100, `the button is ${box.width}×${box.height}`);
  assert.deepEqual(await elderProblems(page), [], '/home');
  await btn.click();
  await page.waitForFunction(() => /今天已报平安/.test(document.querySelector('[data-test=peace-button]').textContent));
  assert.match(await page.textContent('[data-test=peace-status]'), /已报平安/);
  assert.equal(sql(`SELECT by_kind FROM care_check WHERE care_id = ${elderId} AND day = '${today()}'`), 'self');
  await shot(page, 'care-h5-peace-done-elder');
  await btn.click();
  await page.waitForFunction(() => /已经报过/.test(document.querySelector('[data-test=peace-status]').textContent));
  assert.equal(sql(`SELECT count(*) FROM care_check WHERE care_id = ${elderId} AND day = '${today()}'`), '1');
  /* a new visit to the page shows today done */
  await page.reload();
  await page.waitForSelector('[data-test=peace-button]');
  await page.waitForFunction(() => /今天已报平安/.test(document.querySelector('[data-test=peace-button]').textContent));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a relative sees her last check and visit, and presses 我很好 for her', async () => {
  const elderName = sql(`SELECT r.name FROM care_person c JOIN resident r ON r.id = c.resident_id WHERE c.id = ${elderId}`);
  const page = await phoneAs('resident', false);
  await page.goto(srv.url + '/h5/#/home');
  await page.waitForSelector('[data-test=care-link]');
  await page.click('[data-test=care-link]');
  const card = page.locator('[data-test=relative]', { hasText: elderName });
  await card.waitFor();
  assert.match(await card.locator('[data-test=relative-check]').textContent(), /今天已报平安/, 'the elder\'s own press shows');
  assert.match(await card.locator('[data-test=relative-visit]').textContent(), /最近走访：\S+/);
  await card.locator('[data-test=peace-button]').click();
  await page.waitForFunction(() => /已经报过/.test(document.querySelector('[data-test=relative] [data-test=peace-status]').textContent));
  await shot(page, 'care-h5-relative');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
