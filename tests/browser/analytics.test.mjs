/*
 * 社区分析 in the console (issue 20), checked against the API's own numbers:
 * the staff's 社区画像 (pyramid, drill-down links into the resident and case
 * lists, the print view on A4), the street admin's 社区分类 (a rule edited
 * on the page, a refused threshold beside its field, k groups), 重点人群
 * (counts, the not-contacted list for N days) and 人员配置建议; 社区分类's
 * export button says what the report holds and downloads it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { COMMUNITY, apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';
import { worksheets } from '../lib/xlsx.mjs';

const STREET = '310105004';
let srv, browser, staff, street;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staff = await apiAs(srv.url, 'staff');
  street = await apiAs(srv.url, 'street');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function pageAs(user) {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1366, height: 768 });
  /* a render error of a page is logged, not thrown: it counts too (a refused request's log line does not) */
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  await consoleLogin(page, srv.url, user);
  return page;
}

const num = async (page, sel) => Number((await page.textContent(sel)).replace(/[^\d.-]/g, ''));

test('社区画像: the staff\'s own community, its numbers the portrait\'s; a tag and a case category open their lists', async () => {
  const p = (await staff(`/analytics/communities/${COMMUNITY}/portrait`)).body;
  assert.ok(p.population.residents > 0);
  const page = await pageAs('staff');
  await menuGo(page, 'menu-analytics-portrait');
  await page.waitForURL(/#\/analytics\/portrait/);
  await page.waitForSelector('[data-test=portrait-pyramid] canvas');
  assert.equal((await page.textContent('[data-test=portrait-title]')).trim(), p.community.name + '社区画像');
  assert.equal(await num(page, '[data-test=kpi-residents]'), p.population.residents);
  assert.equal(await num(page, '[data-test=kpi-households]'), p.population.households);
  assert.equal(await num(page, '[data-test=kpi-key-population]'), p.population.key_population);
  /* the pyramid drawn: every band's men and women, adding up to the residents */
  const bands = JSON.parse(await page.textContent('[data-test=pyramid-data]'));
  assert.deepEqual(bands.map((b) => b[0]), ['0-6', '7-17', '18-34', '35-59', '60-64', '65-79', '80+']);
  assert.equal(bands.reduce((s, b) => s + b[1] + b[2], 0), p.population.residents);
  assert.match(await page.textContent('[data-test=portrait-results]'), new RegExp(p.results.response_rate.toFixed(1) + '%'));
  assert.match(await page.textContent('[data-test=portrait-type]'), new RegExp(p.type.label));
  await shot(page, 'analytics-portrait');

  /* a tag's number opens the resident list with that tag: the same count */
  const tag = p.population.tags.find((t) => t.key_population && t.value > 0);
  const listed = (await staff(`/residents?community=${COMMUNITY}&tag=${encodeURIComponent(tag.label)}&per_page=1`)).body.total;
  assert.equal(listed, tag.value, 'the API\'s list gives the number');
  await page.click(`[data-test="tag-link-${tag.label}"]`);
  await page.waitForURL(/#\/residents\?tag=/);
  await page.waitForSelector('[data-test=resident-table] .el-table__row');
  await page.waitForFunction((n) => (document.querySelector('.el-pagination__total')?.textContent || '').includes(`共 ${n} 条`), tag.value);
  assert.equal(decodeURIComponent(new URL(page.url()).hash.split('tag=')[1]), tag.label);

  /* 独居户 opens the residents who live alone, the group filter set */
  await page.goBack();
  await page.waitForSelector('[data-test=kpi-living-alone]');
  assert.ok(p.population.living_alone > 0, 'the demo community has people living alone');
  await page.click('[data-test=kpi-living-alone]');
  await page.waitForURL(/#\/residents\?.*living_alone=1/);
  await page.waitForFunction((n) => (document.querySelector('.el-pagination__total')?.textContent || '').includes(`共 ${n} 条`), p.population.living_alone);
  assert.match(await page.textContent('[data-test=group-filter]'), /独居/);

  /* a category's open cases open the case list filtered by it */
  await page.goBack();
  await page.waitForSelector('[data-test=portrait-cases]');
  const cat = p.demand.cases.by_category.find((c) => c.open > 0);
  const open = (await staff(`/cases?community=${COMMUNITY}&category=${cat.key}&state=open&per_page=50`)).body;
  assert.equal(open.total, cat.open);
  await page.click(`[data-test="case-link-${cat.key}"]`);
  await page.waitForURL(new RegExp(`#/cases\\?.*category=${cat.key}`));
  await page.waitForFunction((n) => document.querySelectorAll('.el-table__body-wrapper tbody tr.el-table__row').length === n, open.items.length);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('社区画像 prints on A4: the menu hidden, nothing wider than the page; 打印 calls window.print', async () => {
  const page = await pageAs('staff');
  await page.goto(srv.url + '/#/analytics/portrait');
  await page.waitForSelector('[data-test=portrait-pyramid] canvas');
  await page.evaluate(() => {
    window.__printed = 0;
    window.print = () => window.__printed++;
  });
  await page.click('[data-test=portrait-print]');
  assert.equal(await page.evaluate(() => window.__printed), 1);
  assert.ok(await page.locator('.aside').isVisible());
  /* A4 less 12 mm margins each side is 186 mm, 703 CSS pixels */
  await page.setViewportSize({ width: 703, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  await page.waitForFunction(() => !document.querySelector('.aside')?.checkVisibility());
  assert.equal(await page.locator('.header').isVisible(), false);
  assert.equal(await page.locator('[data-test=portrait-print]').isVisible(), false);
  await page.waitForFunction(() => {
    const w = document.documentElement.clientWidth;
    return [...document.querySelectorAll('.analytics-portrait *')].every((el) => el.getBoundingClientRect().right <= w + 1);
  });
  await page.screenshot({ path: (process.env.SHOTS_DIR || '/tmp/shots') + '/analytics-portrait-print.png', fullPage: true });
  await page.context().close();
});

test('社区分类: the street\'s table as the API gives it; a rule edited on the page is stored and retypes a community; a bad threshold is shown beside its field', async () => {
  const page = await pageAs('street');
  await menuGo(page, 'menu-analytics-classification');
  await page.waitForURL(/#\/analytics\/classification/);
  const before = (await street(`/analytics/classification?scope=${STREET}&k=4&seed=1`)).body;
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=an-table] .el-table__body-wrapper tbody tr').length === n, before.items.length);
  const types = await page.locator('[data-test=an-table] .el-table__body-wrapper [data-test=an-type]').allTextContents();
  assert.deepEqual(types, before.items.map((i) => i.type ?? '—（无居民）'));
  assert.equal(await page.locator('[data-test=an-cluster-card]').count(), before.clusters.length);
  for (const c of before.clusters) for (const t of c.profile) assert.match(await page.textContent('[data-test=an-clusters]'), new RegExp(t.replace(/[()（）.]/g, '.')));
  await page.waitForSelector('[data-test=an-radar] canvas');

  /* the 老龄化型 threshold raised between two communities' shares of 65+ */
  const rules = (await street(`/analytics/rules?scope=${STREET}`)).body;
  assert.equal(rules.editable, true);
  const row = rules.rules.findIndex((r) => r.indicator === 'elderly_65_share');
  assert.ok(row >= 0, 'the defaults have a 65+ rule');
  const shares = before.items.filter((i) => i.type).map((i) => i.values.elderly_65_share).sort((a, b) => a - b);
  const threshold = Math.round(((shares[0] + shares[shares.length - 1]) / 2) * 10) / 10;

  await page.fill(`input[data-test=rule-threshold-${row}]`, '很多');
  await page.click('[data-test=rule-save]');
  await page.waitForSelector(`[data-test=rule-err-threshold-${row}]`);
  assert.match(await page.textContent(`[data-test=rule-err-threshold-${row}]`), /\S/);
  assert.equal((await street(`/analytics/rules?scope=${STREET}`)).body.rules_scope, '', 'nothing stored');

  await page.fill(`input[data-test=rule-threshold-${row}]`, String(threshold));
  await page.click('[data-test=rule-save]');
  await page.waitForSelector(`[data-test=rule-err-threshold-${row}]`, { state: 'detached' });
  const stored = (await street(`/analytics/rules?scope=${STREET}`)).body;
  assert.equal(stored.rules_scope, STREET);
  assert.equal(stored.rules[row].threshold, threshold);
  const afterCls = (await street(`/analytics/classification?scope=${STREET}&k=4&seed=1`)).body;
  const changed = afterCls.items.filter((i, n) => i.type !== before.items[n].type);
  assert.ok(changed.length > 0, 'the new threshold retypes some community');
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('[data-test=an-table] .el-table__body-wrapper [data-test=an-type]')].map((e) => e.textContent)) === JSON.stringify(want),
    afterCls.items.map((i) => i.type ?? '—（无居民）'),
  );
  await shot(page, 'analytics-classification');

  /* k groups */
  for (const k of [2, 6]) {
    const want = (await street(`/analytics/classification?scope=${STREET}&k=${k}&seed=1`)).body;
    await page.fill('[data-test=an-k] input', String(k));
    await page.press('[data-test=an-k] input', 'Enter');
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=an-cluster-card]').length === n, want.clusters.length);
    assert.equal(want.k, k);
    const sizes = await page.locator('[data-test=an-cluster-card] .c-head').allTextContents();
    assert.deepEqual(sizes, want.clusters.map((c) => `${c.label}${c.size} 个社区`));
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('社区分类: 导出 says what the report holds; the Excel file has the four tables, the CSV one of them', async () => {
  const page = await pageAs('street');
  await page.goto(srv.url + '/#/analytics/classification');
  await page.waitForSelector('[data-test=an-table] .el-table__body-wrapper tbody tr');
  const note = await page.textContent('[data-test=an-export-note]');
  for (const w of ['社区指标与分类', '分组特征', '社区画像', '服务清单']) assert.ok(note.includes(w), `the note names ${w}`);
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=an-export-xlsx]')]);
  assert.equal(xlsx.suggestedFilename(), `社区分析报表_${STREET}.xlsx`);
  const book = worksheets(await readFile(await xlsx.path()));
  assert.deepEqual(book.map((x) => x.name), ['社区指标与分类', '分组特征', '社区画像', '服务清单']);
  const cls = (await street(`/analytics/classification?scope=${STREET}&k=4&seed=1`)).body;
  assert.equal(book[0].rows.length - 1, cls.items.length, 'one row per community of the street');
  assert.equal(new Set(book[2].rows.slice(1).map((r) => r[0])).size, cls.items.length, 'a portrait per community');
  await page.click('[data-test=an-export-csv] button');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=an-export-csv-services]')]);
  assert.equal(csv.suggestedFilename(), `服务清单_${STREET}.csv`);
  const text = (await readFile(await csv.path())).toString('utf8').replace(/^\uFEFF/, '');
  assert.equal(text.split('\r\n')[0], '类型,类别,服务名称,提供方,频次,适用范围,范围代码,适用的该类型社区数');
  await shot(page, 'analytics-export');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('社区分类: the staff read the rules but cannot edit them', async () => {
  const page = await pageAs('staff');
  await page.goto(srv.url + '/#/analytics/classification');
  await page.waitForSelector('[data-test=rule-table] .el-table__row');
  assert.equal(await page.locator('[data-test=rule-save]').count(), 0);
  assert.equal(await page.locator('[data-test=rule-table] input').count(), 0);
  await page.context().close();
});

test('重点人群: counts by tag over the street, a community\'s count opens its list, the not-contacted list for N days', async () => {
  const page = await pageAs('street');
  await menuGo(page, 'menu-analytics-key-populations');
  const d = (await street(`/analytics/key-populations?scope=${STREET}&days=30`)).body;
  await page.waitForSelector('[data-test=kp-not-contacted] .el-table__row');
  for (const t of d.tags) assert.equal(await num(page, `[data-test="kp-tag-${t.label}"]`), t.value, t.label);
  /* the trend of 12 month-ends: the chart drawn, each tag's change beside it, as the API gives them */
  assert.equal(d.trend.months.length, 12);
  assert.ok(d.trend.tags.some((t) => t.change > 0) && d.trend.tags.some((t) => t.change < 0), 'the demo has tags that grew and tags that shrank');
  await page.waitForSelector('[data-test=kp-trend] canvas');
  assert.equal((await page.textContent('[data-test=kp-trend-note]')).trim(), d.trend_note);
  const changes = async () => (await page.locator('[data-test=kp-changes] li').allTextContents()).map((x) => x.replace(/\s+/g, ''));
  const pct = (t) => (t.change_pct === null ? '' : `（${t.change_pct > 0 ? '+' : ''}${t.change_pct}%）`);
  const line = (t) => `${t.label}${t.values[0]}→${t.values[11]}${t.change > 0 ? '+' : ''}${t.change}${pct(t)}`;
  assert.deepEqual(await changes(), d.trend.tags.map(line));
  for (const t of d.trend.tags) assert.equal(t.values[11], d.tags.find((x) => x.label === t.label).value, `${t.label}: this month is today's`);
  /* one community's lines */
  const bc = d.trend.by_community.find((x) => x.code !== COMMUNITY && Object.keys(x.values).length);
  await page.click('[data-test=kp-trend-community]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: bc.name }).click();
  const one = d.trend.tags.filter((t) => bc.values[t.label]).map((t) => {
    const v = bc.values[t.label];
    return { label: t.label, values: v, change: v[11] - v[0], change_pct: v[0] ? Math.round((1000 * (v[11] - v[0])) / v[0]) / 10 : null };
  });
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=kp-changes] li').length === n, one.length);
  assert.deepEqual(await changes(), one.map(line));
  assert.match(await page.textContent('[data-test=kp-nc-total]'), new RegExp(`共 ${d.not_contacted.total} 人`));
  const names = await page.locator('[data-test=kp-not-contacted] [data-test=kp-nc-name]').allTextContents();
  assert.deepEqual(names.slice(0, 20), d.not_contacted.items.slice(0, 20).map((x) => x.name));

  const fewer = (await street(`/analytics/key-populations?scope=${STREET}&days=3650`)).body;
  await page.fill('[data-test=kp-days] input', '3650');
  await page.press('[data-test=kp-days] input', 'Enter');
  await page.waitForFunction((n) => (document.querySelector('[data-test=kp-nc-total]')?.textContent || '').includes(`共 ${n} 人`), fewer.not_contacted.total);
  await shot(page, 'analytics-key-populations');

  /* a community's count of one tag opens that community's resident list */
  const c = d.by_community.find((x) => x.code !== COMMUNITY && x.values['高龄'] > 0);
  await page.click(`[data-test="kp-cell-${c.code}-高龄"]`);
  await page.waitForURL(/#\/residents\?tag=/);
  await page.waitForFunction((n) => (document.querySelector('.el-pagination__total')?.textContent || '').includes(`共 ${n} 条`), c.values['高龄']);
  assert.equal((await street(`/residents?community=${c.code}&tag=${encodeURIComponent('高龄')}&per_page=1`)).body.total, c.values['高龄']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('人员配置建议: each community\'s workers beside the suggestion, as the API shares them out', async () => {
  const page = await pageAs('street');
  await menuGo(page, 'menu-analytics-staffing');
  const d = (await street(`/analytics/staffing?scope=${STREET}`)).body;
  await page.waitForSelector('[data-test=st-chart] canvas');
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=st-table] .el-table__row').length === n, d.items.length);
  const byWork = [...d.items].sort((a, b) => b.workload - a.workload);
  const rows = await page.$$eval('[data-test=st-table] .el-table__row', (trs) => trs.map((tr) => [tr.cells[0].textContent.trim(), tr.querySelector('[data-test=st-workers]').textContent, tr.querySelector('[data-test=st-suggested]').textContent]));
  assert.deepEqual(rows, byWork.map((x) => [x.name, String(x.workers), String(x.suggested)]));
  assert.match(await page.textContent('[data-test=st-total]'), new RegExp(`在岗社区工作者 ${d.workers_total} 人`));
  assert.equal(await page.locator('[data-test=st-short]').count(), d.short ? 1 : 0);
  await shot(page, 'analytics-staffing');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
