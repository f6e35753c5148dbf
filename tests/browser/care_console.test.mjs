/*
 * The console's care pages (关爱), as the community's staff uses them: the
 * care list with its filters, a person's page (the grade overridden with a
 * reason, a helper paired from the search), the GB/T 42195-2022 form filled
 * item by item on a tablet with the running total and level, the report
 * after submitting, the overdue board and the statistics' charts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';

let srv, browser, page, staff;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staff = await apiAs(srv.url, 'staff');
  page = await newPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  await consoleLogin(page, srv.url, 'staff');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const total = async () => Number((await page.textContent('[data-test=care-total]')).match(/共 (\d+) 人/)[1]);

async function pick(selectTest, text) {
  await page.click(`[data-test=${selectTest}]`);
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

let personId, personName;

test('the care list filters by grade and living alone; a row opens the person', async () => {
  await menuGo(page, 'menu-care-list');
  await page.waitForSelector('[data-test=care-table] .el-table__row');
  const all = (await staff('/care/people?per_page=1')).body.total;
  assert.equal(await total(), all);

  const want = (await staff('/care/people?per_page=200&grade=1&alone=1')).body;
  assert.ok(want.total > 0 && want.total < all, `the demo has 独居 一级 people (${want.total} of ${all})`);
  await pick('care-filter-grade', '一级（重点）');
  await page.waitForURL(/grade=1/);
  await pick('care-filter-alone', '独居');
  await page.waitForURL(/alone=1/);
  await page.waitForFunction((n) => /共 (\d+) 人/.exec(document.querySelector('[data-test=care-total]')?.textContent || '')?.[1] === String(n), want.total);
  await page.waitForSelector('[data-test=care-table] .el-table__row');
  const grades = await page.locator('[data-test=care-grade]').allTextContents();
  assert.ok(grades.length > 0 && grades.every((g) => g === '一级'), grades.join(','));
  const names = await page.locator('[data-test=care-name]').allTextContents();
  assert.deepEqual(names.sort(), want.items.slice(0, names.length).map((p) => p.name).sort());
  await shot(page, 'care-list');

  /* the masked list of what is shown, as a file */
  await page.click('[data-test=care-export]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=care-export-xlsx]')]);
  assert.match(download.suggestedFilename(), /^关爱对象（脱敏）_\d{12}\.xlsx$/);
  assert.equal(await page.locator('[data-test=care-export-full]').count(), 0, 'full data is the secretary\'s');

  personName = names[0];
  personId = want.items.find((p) => p.name === personName).care_id;
  await page.locator('[data-test=care-name]', { hasText: personName }).first().click();
  await page.waitForURL(new RegExp(`/care/people/${personId}$`));
  assert.equal((await page.textContent('[data-test=care-person-name]')).trim(), personName);
  assert.match(await page.textContent('[data-test=care-person-grade]'), /一级（重点）/);
  assert.match(await page.textContent('[data-test=care-grading]'), /独居/, 'the grade shows the rules that produced it');
});

test('staff override the grade with a reason and see it with the computed grade', async () => {
  await page.click('[data-test=care-override]');
  const dialog = page.locator('[data-test=care-override-dialog]');
  await dialog.locator('label', { hasText: '三级（一般）' }).click();
  await page.click('[data-test=care-override-submit]');
  assert.match(await page.textContent('[data-test=care-override-error]'), /理由/, 'a reason is required');
  await page.fill('[data-test=care-override-input]', '子女已搬回同住，每日照看');
  await page.click('[data-test=care-override-submit]');
  await page.waitForSelector('[data-test=care-override-shown]');
  assert.match(await page.textContent('[data-test=care-person-grade]'), /三级（一般）/);
  assert.equal((await page.textContent('[data-test=care-override-reason]')).trim(), '子女已搬回同住，每日照看');
  assert.match(await page.textContent('[data-test=care-override-shown]'), /按规则为 一级（重点）/);
  const p = (await staff(`/care/people/${personId}`)).body;
  assert.equal(p.grade, 3);
  assert.equal(p.grading.override.reason, '子女已搬回同住，每日照看');
});

test('a helper found by the search is paired', async () => {
  const p = (await staff(`/care/people/${personId}`)).body;
  const paired = new Set(p.pairs.map((x) => x.user_id));
  const helpers = (await staff(`/care/helpers?community=${p.community}`)).body.items;
  const h = helpers.find((x) => !paired.has(x.user_id) && x.role === 'resident');
  assert.ok(h, 'someone to pair');
  await page.click('[data-test=care-pair-search]');
  await page.keyboard.type(h.name);
  await page.locator('.el-select-dropdown__item:visible', { hasText: h.name }).first().click();
  await page.click('[data-test=care-pair-add]');
  await page.locator('[data-test=care-pairs] .el-table__row', { hasText: h.name }).waitFor();
  const after = (await staff(`/care/people/${personId}`)).body.pairs;
  assert.ok(after.some((x) => x.user_id === h.user_id && x.kind === 'volunteer'), JSON.stringify(after));
  await shot(page, 'care-person');
});

test('the assessment form on a tablet: running total and level, then the report', async () => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.click('[data-test=care-assess]');
  await page.waitForSelector('[data-item="B.4.5"]');
  const form = (await staff('/care/form')).body;
  assert.equal(await page.locator('[data-item]').count(), 26);

  await page.click('[data-test=care-assess-submit]');
  assert.match(await page.textContent('[data-test=care-assess-error]'), /还有 26 项未填/);

  /* 自理能力 all 0, everything else at its best: 90 - 32 = 58, level 2 */
  let sum = 0;
  for (const it of form.items) {
    const s = it.code.startsWith('B.1.') ? 0 : it.max;
    sum += s;
    await page.click(`[data-item="${it.code}"] [data-score="${s}"]`);
  }
  assert.equal(sum, 58);
  assert.equal(await page.locator('[data-test=care-assess-error]').count(), 0, 'the missing items\' message goes once all are filled');
  assert.equal((await page.textContent('[data-test=care-assess-total]')).trim(), '58');
  assert.match(await page.textContent('[data-test=care-assess-level]'), /2 级/);
  await page.click('[data-item="B.1.1"] [data-score="4"]');
  assert.equal((await page.textContent('[data-test=care-assess-total]')).trim(), '62');

  await page.click('[data-test=care-assess-diagnoses]');
  await page.keyboard.type('F01');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 768, height: 1024 });
  await shot(page, 'care-assess-768');
  await page.setViewportSize({ width: 1024, height: 768 });
  await shot(page, 'care-assess-1024');
  await page.click('[data-test=care-assess-submit]');
  await page.waitForSelector('[data-test=care-assess-done]');
  assert.match(await page.textContent('[data-test=care-report-final]'), /3 级/, '痴呆 raises 中度 to 重度');
  assert.match(await page.textContent('[data-test=care-report-adjustment]'), /F01/);
  await shot(page, 'care-assess-report');
  const p = (await staff(`/care/people/${personId}`)).body;
  assert.equal(p.ability_level, 3);
  assert.equal(p.assessments[0].total, 62);
  await page.setViewportSize({ width: 1280, height: 800 });
  /* back on her page: the new level, and the trend of every assessment */
  await page.click('[data-test=care-assess-back]');
  await page.waitForSelector('[data-test=care-trend] canvas');
  assert.equal(await page.locator('[data-test=care-assessments] .el-table__row').count(), p.assessments.length);
  assert.match(await page.textContent('[data-test=care-person-level]'), /3 级/);
});

test('the overdue board shows an overdue person under her helper', async () => {
  const od = (await staff('/care/overdue?per_page=200')).body.items.filter((p) => p.visit_overdue);
  assert.ok(od.length > 0, 'the demo has overdue visits');
  await menuGo(page, 'menu-care-overdue');
  await page.waitForSelector('[data-test=overdue-visits] .group');
  assert.equal(Number(await page.textContent('[data-test=overdue-visit-count]')), od.length);
  const one = od.find((p) => p.pairs.length) || od[0];
  const group = page.locator('[data-test=overdue-visits] .group', { hasText: one.pairs.length ? one.pairs[0].name : '未结对' });
  await group.locator('[data-test=overdue-person]', { hasText: one.name }).first().waitFor();
  await shot(page, 'care-overdue');
});

test('statistics draw their charts', async () => {
  const s = (await staff('/care/stats')).body;
  await menuGo(page, 'menu-care-stats');
  await page.waitForSelector('[data-test=care-chart-level] canvas');
  await page.waitForSelector('[data-test=care-chart-visits] canvas');
  assert.equal((await page.textContent('[data-test=care-kpi-in_care] .kpi-value')).trim(), String(s.in_care));
  await shot(page, 'care-stats');
  assert.deepEqual(page.errors, []);
});
