/*
 * 积分 and 合作商户 in the browser. Staff (console, 1366×768): the demo's
 * accounts and totals, a resident's ledger adjusted with a reason (refused
 * without one), the rules saved; a merchant registered, a discount added with
 * its QR poster, the yearly report; a stall added to a market. The demo
 * resident (390×844): her balance and ledger, the offers, an offer's redeem
 * page confirmed into a receipt code that staff then see among the
 * merchant's redemptions, and one she cannot afford refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, consoleLogin, launchBrowser, menuGo, newPage, phoneAs, shot, startLinli } from './helpers.mjs';

let srv;
let browser;
let staffApi;
let residentApi;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staffApi = await apiAs(srv.url, 'staff');
  residentApi = await apiAs(srv.url, 'resident');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function consolePage() {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1366, height: 768 });
  await consoleLogin(page, srv.url, 'staff');
  return page;
}

const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('points and partner merchants', () => {
  test('console 积分: totals, a ledger adjusted with a reason, the rules saved', async () => {
    const page = await consolePage();
    await menuGo(page, 'menu-points');
    await page.waitForSelector('[data-test=points-accounts] .el-table__row');
    const totals = await page.textContent('[data-test=points-totals]');
    assert.match(totals, /累计发放/);
    const first = (await staffApi('/points/accounts?per_page=1')).body.items[0];
    await page.locator('[data-test=points-accounts] .el-table__row').first().click();
    await page.waitForSelector('[data-test=ledger-entries] .el-table__row');
    assert.equal((await page.textContent('[data-test=ledger-balance]')).trim(), String(first.balance));
    // without a reason nothing is sent
    await page.click('[data-test=adjust-submit]');
    await page.waitForSelector('.el-message:has-text("必须填写原因")');
    assert.equal((await staffApi(`/points/accounts/${first.resident_id}`)).body.balance, first.balance);
    await page.fill('[data-test=adjust-reason]', '补发楼道清洁积分');
    await page.click('[data-test=adjust-submit]');
    await page.waitForSelector(`[data-test=ledger-balance]:text-is("${first.balance + 10}")`);
    assert.match(await page.textContent('[data-test=ledger-entries] .el-table__row'), /人工调整：补发楼道清洁积分/);
    await shot(page, 'points-console-ledger');
    await page.keyboard.press('Escape');
    await page.click('.el-tabs__item:has-text("积分规则")');
    await page.fill('[data-test=rule-points-attend_sports] input', '6');
    await page.click('[data-test=rules-save]');
    await page.waitForSelector('.el-message:has-text("积分规则已保存")');
    const rules = (await staffApi('/points/rules')).body.rules;
    assert.equal(rules.find((r) => r.rule === 'attend_sports').points, 6);
    await page.context().close();
  });

  test('console 合作商户: register, add a discount with its QR poster, the yearly report; a stall at a market', async () => {
    const page = await consolePage();
    await menuGo(page, 'menu-merchants');
    await page.waitForSelector('[data-test=merchants-table] .el-table__row');
    assert.equal(await page.locator('[data-test=merchants-table] .el-table__row').count(), 4, 'the demo\'s merchants');
    assert.doesNotMatch(await page.textContent('[data-test=merchants-table]'), /13812345678/, 'phones masked in the list');
    await shot(page, 'points-console-merchants');
    await page.click('[data-test=merchant-add]');
    await page.fill('[data-test=merchant-name]', '便民修鞋铺');
    await page.click('[data-test=merchant-kind]');
    await page.click('.el-select-dropdown__item:has-text("维修")');
    await page.fill('[data-test=merchant-phone]', '13911112222');
    await page.click('[data-test=merchant-save]');
    await page.waitForSelector('[data-test=merchant-title]:has-text("便民修鞋铺")');
    await page.click('[data-test=offer-add]');
    await page.fill('[data-test=offer-title]', '修鞋一次免费');
    await page.fill('[data-test=offer-cost] input', '15');
    await page.click('[data-test=offer-save]');
    await page.waitForSelector('[data-test=offers-table] .el-table__row:has-text("修鞋一次免费")');
    const href = await page.getAttribute('[data-test=offer-qr]', 'href');
    const png = await fetch(srv.url + href, { headers: { Cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    await page.click('.el-tabs__item:has-text("年度贡献")');
    await page.waitForSelector('[data-test=report-totals]');
    assert.match(await page.getAttribute('[data-test=report-export]', 'href'), /report\.xlsx\?year=\d{4}/);
    // a stall at the upcoming market
    const market = (await staffApi('/activities?kind=market')).body.items.find((a) => a.status === 'upcoming');
    await page.goto(`${srv.url}/#/activities/${market.id}`);
    await page.waitForSelector('[data-test=stalls-table] .el-table__row');
    const before = await page.locator('[data-test=stalls-table] .el-table__row').count();
    await page.click('[data-test=stall-merchant]');
    await page.click('.el-select-dropdown__item:has-text("便民修鞋铺")');
    await page.fill('[data-test=stall-provides]', '免费修鞋、配钥匙');
    await page.click('[data-test=stall-add]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=stalls-table] .el-table__row').length === n + 1, before);
    await shot(page, 'points-console-stalls');
    await page.context().close();
    const stalls = (await residentApi(`/activities/${market.id}/stalls`)).body.items;
    assert.ok(stalls.some((s) => s.merchant === '便民修鞋铺' && s.provides === '免费修鞋、配钥匙'));
  });

  test('H5: my points, the offers, a redemption confirmed into a receipt code staff see; too dear refused', async () => {
    const page = await phoneAs(browser, srv.url, 'resident', false);
    const mine = (await residentApi('/points/mine')).body;
    await page.goto(srv.url + '/h5/#/mine');
    await page.click('[data-test=to-points]');
    await page.waitForSelector('[data-test=entry]');
    assert.equal((await page.textContent('[data-test=balance]')).trim(), String(mine.balance));
    assert.equal(await page.locator('[data-test=entry]').count(), mine.entries.length);
    await shot(page, 'points-h5-mine');
    await page.click('[data-test=to-offers]');
    await page.waitForSelector('[data-test=offer]');
    const offers = (await residentApi('/offers')).body.items;
    assert.equal(await page.locator('[data-test=offer]').count(), offers.length);
    const cheap = offers.find((o) => o.cost <= mine.balance);
    await page.locator('[data-test=offer]', { hasText: cheap.title }).locator('[data-test=redeem]').click();
    await page.waitForSelector('[data-test=confirm]');
    assert.equal((await page.textContent('[data-test=cost]')).trim(), String(cheap.cost));
    await page.click('[data-test=confirm]');
    await page.click('.van-dialog__confirm');
    await page.waitForSelector('[data-test=receipt-code]');
    const code = (await page.textContent('[data-test=receipt-code]')).trim();
    assert.match(code, /^\d{6}$/);
    await shot(page, 'points-h5-receipt');
    assert.equal((await residentApi('/points/mine')).body.balance, mine.balance - cheap.cost);
    const red = (await staffApi(`/merchants/${cheap.merchant_id}/redemptions`)).body.items;
    assert.equal(red[0].code, code);
    // an offer she cannot afford: the page says so and the button stays off
    const m = (await staffApi('/merchants')).body.items[0];
    const dear = (await staffApi(`/merchants/${m.id}/offers`, json('POST', { kind: 'discount', title: '高价测试优惠', cost: 999999 }))).body.offers.find((o) => o.title === '高价测试优惠');
    await page.goto(`${srv.url}/h5/#/offers/redeem/${dear.token}`);
    await page.waitForSelector('[data-test=short]');
    assert.equal(await page.locator('[data-test=confirm]').isDisabled(), true);
    // a code that is not a merchant's
    await page.goto(`${srv.url}/h5/#/offers/redeem/not-a-real-token`);
    await page.waitForSelector('[data-test=redeem-failed]');
    assert.match(await page.textContent('[data-test=redeem-failed]'), /不是本社区合作商户的兑换码/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('H5: signing in at an activity shows the points it earned', async () => {
    const start = Date.now() + 10 * 60000;
    const iso = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 19) + '+08:00';
    const a = (await staffApi('/activities', json('POST', { community: '310105004017', title: '积分测试活动', kind: 'sports', start: iso(start), end: iso(start + 3600000), capacity: 5 }))).body;
    assert.equal((await residentApi(`/activities/${a.id}/signups`, json('POST', {}))).status, 201);
    const rule = (await staffApi('/points/rules')).body.rules.find((r) => r.rule === 'attend_sports').points;
    const page = await phoneAs(browser, srv.url, 'resident', false);
    await page.goto(`${srv.url}/h5/#/activities/${a.id}/checkin?token=${a.sessions[0].token}`);
    await page.locator('[data-test=sign-in]').first().click();
    await page.waitForSelector('[data-test=points-earned]');
    assert.equal((await page.textContent('[data-test=points-earned]')).trim(), `获得 ${rule} 积分`);
    await page.context().close();
  });

  test('H5: a market\'s page lists its stalls', async () => {
    const market = (await residentApi('/activities?kind=market')).body.items[0];
    const page = await phoneAs(browser, srv.url, 'resident', false);
    await page.goto(`${srv.url}/h5/#/activities/${market.id}`);
    await page.waitForSelector('[data-test=stall]');
    const stalls = (await residentApi(`/activities/${market.id}/stalls`)).body.items;
    assert.equal(await page.locator('[data-test=stall]').count(), stalls.length);
    assert.match(await page.textContent('[data-test=stalls]'), new RegExp(stalls[0].merchant));
    await page.context().close();
  });
});
