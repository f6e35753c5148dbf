/*
 * Registration by phone (issue 12 §1) as people do it: a resident registers
 * on her phone (390×844) with the code the fake SMS gateway received, in the
 * standard and the 长辈版 mode; an unknown phone waits ("等待居委会确认") with
 * limited pages until staff confirm her household in the console
 * (1366×768, 注册审核); a registered phone is linked to her home at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot } from './helpers.mjs';
import { startServer, ROOT } from '../lib/server.mjs';
import { fakeSms, smsConfig } from '../lib/sms.mjs';

const PW = 'Lantern-harbor-77';
let srv, sms, browser;

before(async () => {
  if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html')))
    throw new Error('web/dist is missing: run `npm run build` first');
  sms = await fakeSms();
  srv = await startServer({ demo: true, web: true, extraArgs: ['--config', smsConfig(sms)] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  sms?.close();
});

async function phonePage(elder) {
  const page = await newPage(browser, { phone: true });
  await page.goto(srv.url + '/h5/#/login');
  await page.evaluate((on) => (on ? localStorage.setItem('linli.elder', '1') : localStorage.removeItem('linli.elder')), elder);
  await page.reload();
  await page.waitForSelector('[data-test=to-register]');
  return page;
}

/* Every visible control at least @min px both ways, every text at least @font px. */
async function meetsSizes(page, min, font) {
  return page.evaluate(([min, font]) => {
    const bad = [];
    for (const el of document.querySelectorAll('button, a, input, select, [role=button]')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
      const box = el.closest('.van-field') || el.closest('.select-field') || el;
      const b = box.getBoundingClientRect();
      if (b.height < min - 0.5 || b.width < min - 0.5) bad.push(`${el.tagName} ${el.textContent.trim() || el.name} ${b.width}×${b.height}`);
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || !n.parentElement.offsetParent) continue;
      const size = parseFloat(getComputedStyle(n.parentElement).fontSize);
      if (size < font - 0.01) bad.push(`text "${n.textContent.trim().slice(0, 12)}" ${size}px`);
    }
    return bad;
  }, [min, font]);
}

async function fillAccount(page, phone, username) {
  await page.click('[data-test=to-register]');
  await page.waitForSelector('[data-test=register-form]');
  await page.fill('input[name=phone]', phone);
  await page.click('[data-test=send-code]');
  await page.waitForSelector('[data-test=code-sent]');
  assert.match(await page.textContent('[data-test=send-code]'), /秒后重发/);
  await page.fill('input[name=code]', sms.codeOf(phone));
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PW);
  await page.fill('input[name=again]', PW);
  await page.click('[data-test=register-submit]');
}

let pendingUser;

test('an unknown phone on the phone, 长辈版: she types her address and waits for the committee', async () => {
  const page = await phonePage(true);
  assert.match(await page.textContent('.login'), /手机号注册/);
  assert.doesNotMatch(await page.textContent('.login'), /账号由居委会开通/);
  await fillAccount(page, '13911112222', 'chenfang');
  await page.waitForSelector('[data-test=address-hint]');
  assert.deepEqual(await meetsSizes(page, 60, 18), [], 'elder sizes on the registration page');
  await page.selectOption('[data-test=reg-community]', '310105004017');
  await page.fill('input[name=name]', '陈芳');
  await page.fill('input[name=address]', '7号楼2单元401室');
  await shot(page, 'h5-register-elder');
  await page.click('[data-test=register-submit]');
  await page.waitForSelector('[data-test=pending-card]');
  assert.match(await page.textContent('[data-test=pending-card]'), /等待居委会确认/);
  assert.match(await page.textContent('[data-test=pending-card]'), /7号楼2单元401室/);
  assert.equal(await page.locator('[data-test=tabbar]').count(), 0, 'no tabs to pages she may not use');
  /* a page she may not use leads back home; the assistant opens */
  await page.goto(srv.url + '/h5/#/cases');
  await page.waitForSelector('[data-test=pending-card]');
  await page.click('[data-test=assistant-link]');
  await page.waitForURL(/#\/assistant/);
  assert.deepEqual(page.errors, []);
  await page.goto(srv.url + '/h5/#/home');
  await page.waitForSelector('[data-test=pending-card]');
  await shot(page, 'h5-register-pending-elder');
  pendingUser = page;
});

test('staff confirm her household in the console; signed in again she sees her home', async () => {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1366, height: 768 });
  await consoleLogin(page, srv.url, 'staff');
  /* the work queue names it */
  await page.waitForSelector('text=待确认的注册');
  await menuGo(page, 'menu-registrations');
  await page.waitForURL(/#\/registrations/);
  const row = page.locator('[data-test=registrations-table] .el-table__row', { hasText: '陈芳' }).first();
  await row.waitFor();
  assert.match(await row.textContent(), /139\*\*\*\*2222/);
  assert.match(await row.textContent(), /7号楼2单元401室/);
  assert.doesNotMatch(await page.textContent('[data-test=registrations-table]'), /13911112222/);
  /* the demo's waiting registrations are listed too */
  assert.ok(await page.locator('[data-test=registrations-table] .el-table__row').count() >= 3);
  await shot(page, 'console-registrations');
  await row.locator('[data-test=confirm]').click();
  await page.waitForSelector('[data-test=pick-building]');
  /* each list its own pop-up: a closing one is not clicked by mistake */
  await page.click('[data-test=pick-building]');
  await page.locator('.pick-building-list .el-select-dropdown__item').first().click();
  await page.click('[data-test=pick-household]');
  await page.locator('.pick-household-list .el-select-dropdown__item').first().click();
  /* no record of her in that household yet: staff make one from what they checked */
  await page.click('[data-test=pick-resident]');
  await page.locator('.pick-resident-list .el-select-dropdown__item', { hasText: '新建' }).click();
  await page.locator('[data-test=new-gender] .el-radio', { hasText: '女' }).click();
  await page.locator('.el-dialog .el-date-editor input').fill('1968-05-12');
  await page.keyboard.press('Enter');
  await page.locator('.el-dialog input[data-test=new-relation], .el-dialog [data-test=new-relation] input').first().fill('租户');
  await shot(page, 'console-registration-confirm');
  await page.click('[data-test=confirm-save]');
  await page.waitForSelector('.el-message--success');
  assert.match(await page.textContent('.el-message--success'), /已确认 陈芳 的住户/);
  const staffApi = await apiAs(srv.url, 'staff');
  const found = await staffApi('/residents?q=13911112222');
  assert.ok(found.body.items.some((x) => x.name === '陈芳'), 'her record, found by the phone she proved');
  await page.locator('[data-test=registrations-table] .el-table__row', { hasText: '陈芳' }).waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  await page.context().close();

  /* her session ended with the change: she signs in again and sees her home */
  const phone = pendingUser;
  await phone.goto(srv.url + '/h5/#/login');
  await phone.reload();
  await phone.waitForSelector('input[name=username]');
  await phone.fill('input[name=username]', 'chenfang');
  await phone.fill('input[name=password]', PW);
  await phone.click('.login button[type=submit]');
  await phone.waitForSelector('[data-test=tabbar]');
  assert.equal(await phone.locator('[data-test=pending-card]').count(), 0);
  await phone.context().close();
});

test('a registered phone, standard mode: linked to her home at once', async () => {
  /* staff put the phone in the registry first */
  const login = await (await fetch(srv.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'staff', password: 'linli2026' }) })).json();
  const auth = { Authorization: 'Bearer ' + login.token, 'Content-Type': 'application/json' };
  const hh = (await (await fetch(srv.url + '/api/v1/households?per_page=1', { headers: auth })).json()).items[0];
  const made = await fetch(srv.url + '/api/v1/residents', { method: 'POST', headers: auth, body: JSON.stringify({
    household_id: hh.id, name: '黄丽', gender: 'female', birth_date: '1962-07-01', phone: '13922223333', relation: '其他' }) });
  assert.equal(made.status, 201);

  const page = await phonePage(false);
  await fillAccount(page, '13922223333', 'huangli');
  await page.waitForSelector('[data-test=tabbar]');
  assert.equal(await page.locator('[data-test=pending-card]').count(), 0);
  assert.match(await page.textContent('body'), /黄丽/);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), true);
  await page.goto(srv.url + '/h5/#/register');
  await page.waitForSelector('[data-test=register-form]');
  assert.deepEqual(await meetsSizes(page, 44, 12), [], 'standard sizes on the registration page');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('rejected, she corrects her address on the phone and it waits again', async () => {
  const page = await phonePage(false);
  await fillAccount(page, '13911113333', 'zhoumin');
  await page.waitForSelector('[data-test=address-hint]');
  await page.selectOption('[data-test=reg-community]', '310105004017');
  await page.fill('input[name=name]', '周敏');
  await page.fill('input[name=address]', '99号楼');
  await page.click('[data-test=register-submit]');
  await page.waitForSelector('[data-test=pending-card]');
  /* staff reject it with a reason */
  const staff = await apiAs(srv.url, 'staff');
  const reg = (await staff('/registrations')).body.items.find((g) => g.username === 'zhoumin');
  const no = await staff(`/registrations/${reg.id}/reject`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: '本社区没有99号楼' }) });
  assert.equal(no.status, 200, JSON.stringify(no.body));
  await page.reload();
  await page.waitForSelector('[data-test=pending-reason]');
  assert.match(await page.textContent('[data-test=pending-reason]'), /99号楼/);
  await page.click('[data-test=resubmit-link]');
  await page.waitForSelector('[data-test=resubmit-form]');
  /* what she sent before is there to correct */
  assert.equal(await page.inputValue('input[name=address]'), '99号楼');
  await page.fill('input[name=address]', '9号楼2单元301室');
  await shot(page, 'h5-register-resubmit');
  await page.click('[data-test=resubmit-submit]');
  await page.waitForSelector('[data-test=pending-card]');
  assert.match(await page.textContent('[data-test=pending-card]'), /等待居委会确认/);
  assert.match(await page.textContent('[data-test=pending-card]'), /9号楼2单元301室/);
  assert.ok((await staff('/registrations')).body.items.some((g) => g.username === 'zhoumin' && g.address === '9号楼2单元301室'));
  assert.deepEqual(page.errors, []);
});
