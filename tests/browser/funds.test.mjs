/*
 * 自治金 in the browser: staff see the demo's inbox by step, act on an
 * application waiting for the 居委会 in the console (1280×800), see the
 * budget overview and a ledger that reconciles; the street admin approves
 * the one waiting for the street. The demo resident (390×844) sees the
 * public projects with a closed one's receipts, her team's applications,
 * and applies for her team with a budget table in yuan that the page turns
 * into fen.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';

let srv;
let browser;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function h5Login(page, username) {
  await page.goto(srv.url + '/h5/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/home/);
}

describe('community funds', () => {
  test('staff: inbox by step, a review decided, the budget and a ledger that reconciles', async () => {
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1280, height: 800 });
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-funds');
    await page.waitForSelector('[data-test=funds-inbox-table] .el-table__row');
    assert.match(await page.textContent('[data-test=step-review]'), /居委会审核（1）/);
    await shot(page, 'funds-console-inbox');
    await page.click('[data-test=funds-inbox-table] .el-table__row');
    await page.waitForSelector('[data-test=funds-act]');
    assert.equal((await page.textContent('[data-test=app-state]')).trim(), '居委会审核');
    await page.fill('[data-test=act-reason]', '材料齐全，同意提交议事会');
    await shot(page, 'funds-console-review');
    await page.click('[data-test=act-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("议事会")');
    await page.click('[data-test=app-back]');
    await page.waitForSelector('[data-test=step-council]:has-text("议事会意见（2）")');
    await page.click('.el-tabs__item:has-text("预算")');
    await page.waitForSelector('[data-test=funds-line]');
    assert.equal(await page.locator('[data-test=funds-line]').count(), 4);
    await shot(page, 'funds-console-budget');
    await page.click('.el-tabs__item:has-text("台账")');
    await page.waitForSelector('[data-test=ledger-reconciles]');
    assert.match(await page.textContent('[data-test=ledger-reconciles]'), /账目平衡/);
    await shot(page, 'funds-console-ledger');
    assert.deepEqual(page.errors, []);
  });

  test('the street approves what waits for it', async () => {
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1280, height: 800 });
    await consoleLogin(page, srv.url, 'street');
    await menuGo(page, 'menu-funds');
    await page.click('[data-test=step-street]');
    await page.waitForSelector('[data-test=funds-inbox-table] .el-table__row');
    await page.click('[data-test=funds-inbox-table] .el-table__row');
    await page.waitForSelector('[data-test=funds-act]');
    await page.click('[data-test=act-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("执行中")');
    await page.click('[data-test=app-back]');
    await page.waitForSelector('[data-test=step-street]:has-text("街道审批（0）")');
    assert.deepEqual(page.errors, []);
  });

  test('resident: public projects with receipts, her applications, applying for her team', async () => {
    const page = await newPage(browser, { phone: true });
    await h5Login(page, 'resident');
    await page.goto(srv.url + '/h5/#/community');
    await page.click('[data-test=community-funds]');
    await page.waitForSelector('[data-test=funds-project]');
    await shot(page, 'funds-h5-public');
    await page.click('[data-test=funds-project]:has-text("已结项")');
    await page.waitForSelector('[data-test=project-spending]');
    assert.ok(await page.locator('[data-test=project-spending] a.spend').count() > 0, 'each spending line opens its receipt');
    await shot(page, 'funds-h5-project');
    await page.goBack();
    await page.click('[data-test=funds-tab-mine]');
    await page.waitForSelector('[data-test=funds-apply]');
    await shot(page, 'funds-h5-mine');
    await page.click('[data-test=funds-apply]');
    await page.waitForSelector('[data-test=apply-title]');
    await page.click('[data-test=apply-line]');
    await page.click('.van-picker__confirm');
    await page.fill('[data-test=apply-title] input', '楼道读报栏');
    await page.fill('[data-test=apply-purpose] textarea', '在楼道设读报栏，方便老人看报');
    await page.fill('[data-test=apply-beneficiaries] input', '5号楼居民');
    await page.fill('[data-test=apply-starts] input', '2026-12-10');
    await page.fill('[data-test=apply-ends] input', '2026-12-31');
    const item = page.locator('[data-test=apply-item]').first();
    await item.locator('input').nth(0).fill('读报栏');
    await item.locator('input').nth(1).fill('2');
    await item.locator('input').nth(2).fill('个');
    await item.locator('input').nth(3).fill('350.5');
    assert.match(await page.textContent('[data-test=apply-total]'), /701\.00/);
    await shot(page, 'funds-h5-apply');
    await page.click('[data-test=apply-submit]');
    await page.waitForSelector('[data-test=project-state]:has-text("居委会审核")');
    const staff = await apiAs(srv.url, 'staff');
    const r = await staff('/funds/applications?state=review');
    const mine = r.body.items.find((x) => x.title === '楼道读报栏');
    assert.ok(mine, 'the staff see it in their inbox');
    assert.equal(mine.total_fen, 70100, 'yuan typed, fen stored');
    assert.deepEqual(page.errors, []);
  });
});
