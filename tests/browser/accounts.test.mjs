/*
 * Accounts without a command line (issue 12 §1): staff open a resident's
 * account from her record and hand her the code; she activates it on her
 * phone (390×844, normal and elder mode) and changes her password; a
 * secretary manages accounts in the console (1366×768).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, consoleLogin, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';

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

async function consolePage() {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1366, height: 768 });
  return page;
}

/* Nothing wider than the viewport (no sideways scrolling). */
async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

/* The element's box lies inside the viewport. */
async function inView(page, sel) {
  return page.$eval(sel, (el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight + 1 && r.right <= window.innerWidth + 1;
  });
}

async function activateOnPhone(code, { elder, username, password }) {
  const page = await newPage(browser, { phone: true });
  /* the mode is on this phone before the first page loads (elder-boot.js reads it), as on a phone that chose it */
  if (elder) await page.context().addInitScript(() => localStorage.setItem('linli.elder', '1'));
  /* one load of the link the QR code holds: no second navigation racing the first */
  await page.goto(srv.url + '/h5/#/activate?code=' + encodeURIComponent(code));
  try {
    await page.waitForSelector('[data-test=activate-form] input[name=password]');
  } catch (e) {
    await shot(page, 'h5-activate-missing');
    const seen = await page.evaluate(() => document.body.innerText.slice(0, 400)).catch(() => '(no page)');
    throw new Error(`${e.message}\nat ${page.url()}\npage errors: ${JSON.stringify(page.errors)}\npage text: ${seen}`);
  }
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder')), elder);
  assert.equal(await page.inputValue('input[name=code]'), code, 'the QR code fills the code in');
  assert.ok(await fitsWidth(page), 'the page fits the phone');
  if (username) await page.fill('input[name=username]', username);
  /* a weak password is refused with the server's reason */
  await page.fill('input[name=password]', '12345678');
  await page.fill('input[name=again]', '12345678');
  await page.click('[data-test=activate-form] button[type=submit]');
  await page.waitForSelector('[data-test=activate-error]');
  assert.match(await page.textContent('[data-test=activate-error]'), /常见|简单/);
  await page.fill('input[name=password]', password);
  await page.fill('input[name=again]', password);
  assert.ok(await inView(page, '[data-test=activate-form] button[type=submit]'), 'the button is on screen');
  await shot(page, elder ? 'h5-activate-elder' : 'h5-activate');
  await page.click('[data-test=activate-form] button[type=submit]');
  await page.waitForSelector('[data-test=household-address]');
  return page;
}

describe('accounts', () => {
  test('the login page says how to get an account', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(srv.url + '/h5/#/login');
    await page.waitForSelector('[data-test=to-activate]');
    const text = await page.textContent('.login');
    assert.doesNotMatch(text, /账号由居委会开通/);
    assert.match(text, /激活码/);
    await page.click('[data-test=to-activate]');
    await page.waitForSelector('[data-test=activate-form]');
  });

  test('staff open a resident account from her record; she activates it on her phone', async () => {
    const staff = await apiAs(srv.url, 'staff');
    const list = await staff('/residents?per_page=5');
    const target = list.body.items.find((r) => r.status === 'active');

    const page = await consolePage();
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(srv.url + '/#/residents');
    await page.waitForSelector('[data-test=resident-table] tbody tr');
    await page.locator('[data-test=resident-table] tbody tr', { hasText: target.name }).first().click();
    await page.waitForSelector('[data-test=resident-drawer] [data-test=open-account]');
    await page.click('[data-test=resident-drawer] [data-test=open-account] button');
    await page.click('[data-test=open-account-own]');
    await page.waitForSelector('[data-test=activation-slip] [data-test=activation-code]');
    const code = (await page.textContent('[data-test=activation-code]')).trim();
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const qrOk = await page.$eval('[data-test=activation-slip] img', (img) => img.complete && img.naturalWidth > 100);
    assert.ok(qrOk, 'the QR code is drawn');
    assert.ok(await inView(page, '[data-test=print-slip]'), 'print is reachable at 1366×768');
    await shot(page, 'console-activation-slip');

    const phone = await activateOnPhone(code, { elder: false, username: 'mei-phone', password: 'Garden-gate-42' });
    /* she changes her own password from 我的 */
    await phone.goto(srv.url + '/h5/#/mine');
    await phone.click('[data-test=to-password]');
    await phone.waitForSelector('[data-test=password-form]');
    await phone.fill('input[name=old_password]', 'Garden-gate-42');
    await phone.fill('input[name=new_password]', 'Quiet-harbour-17');
    await phone.fill('input[name=again]', 'Quiet-harbour-17');
    await phone.click('[data-test=password-form] button[type=submit]');
    await phone.waitForURL(/#\/mine/);
    const login = await fetch(srv.url + '/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'mei-phone', password: 'Quiet-harbour-17' }),
    });
    assert.equal(login.status, 200);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(phone.errors, []);
  });

  test('a reset code works the same way in elder mode', async () => {
    const staff = await apiAs(srv.url, 'staff');
    const list = await staff('/residents?per_page=20');
    const target = list.body.items.filter((r) => r.status === 'active')[3];
    const open = await staff(`/residents/${target.id}/account`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(open.status, 201, JSON.stringify(open.body));
    const phone = await activateOnPhone(open.body.activation_code, { elder: true, password: 'Tea-and-plums-9' });
    assert.ok(await fitsWidth(phone));
    const fs = await phone.$eval('[data-test=household-address]', (el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(fs >= 18, `elder type is large (${fs}px)`);
  });

  test('a secretary manages accounts: creates a reporter, resets and disables', async () => {
    const page = await consolePage();
    await consoleLogin(page, srv.url, 'secretary');
    await page.click('[data-test=menu-users]');
    await page.waitForSelector('[data-test=users-table] tbody tr');
    assert.ok(await fitsWidth(page), 'the table fits 1366 px');
    const roles = await page.$$eval('[data-test=users-table] tbody tr', (rows) => rows.map((r) => r.textContent));
    assert.ok(roles.some((t) => t.includes('社区工作者')));
    assert.ok(!roles.some((t) => t.includes('系统管理员')), 'no admins for a secretary');
    await shot(page, 'console-users');

    await page.click('[data-test=add-user]');
    await page.waitForSelector('[data-test=user-dialog] input[name=username]');
    await page.fill('[data-test=user-dialog] input[name=username]', 'rider-li');
    await page.fill('[data-test=user-dialog] input[name=display_name]', '李师傅');
    await page.click('[data-test=user-dialog] [data-test=user-role]');
    await page.locator('.el-select-dropdown__item:visible', { hasText: '流动网格员' }).click();
    await page.click('[data-test=save-user]');
    await page.waitForSelector('[data-test=activation-slip] [data-test=activation-code]');
    assert.match(await page.textContent('[data-test=activation-slip]'), /李师傅/);
    await page.locator('[data-test=activation-slip] button', { hasText: '关闭' }).click();
    await page.waitForSelector('[data-test=users-table] tbody tr:has-text("rider-li")');

    /* a weak password is refused beside its field */
    await page.click('[data-test=add-user]');
    await page.fill('[data-test=user-dialog] input[name=username]', 'weak-one');
    await page.fill('[data-test=user-dialog] input[name=password]', 'password1');
    await page.click('[data-test=save-user]');
    await page.waitForSelector('[data-test=user-dialog] .el-form-item__error');
    assert.match(await page.textContent('[data-test=user-dialog] .el-form-item__error'), /常见|简单/);
    await page.locator('[data-test=user-dialog] button', { hasText: '取消' }).click();

    const row = page.locator('[data-test=users-table] tbody tr', { hasText: 'rider-li' }).first();
    await row.locator('[data-test=toggle-user]').click();
    await page.waitForSelector('[data-test=users-table] tbody tr:has-text("rider-li") :text("已停用")');
    const sec = await apiAs(srv.url, 'secretary');
    const found = await sec('/users?q=rider-li');
    assert.equal(found.body.items[0].disabled, true);
    assert.equal(found.body.items[0].role, 'reporter');
    assert.deepEqual(page.errors, []);
  });

  test('staff change their own password in the console', async () => {
    const admin = await apiAs(srv.url, 'admin');
    const made = await admin('/users', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'console-pw', password: 'Bright-lamp-31', role: 'staff', scope: '310105004017', display_name: '周社工' }) });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const page = await consolePage();
    await page.goto(srv.url + '/');
    await page.waitForSelector('input[name=username]');
    await page.fill('input[name=username]', 'console-pw');
    await page.fill('input[name=password]', 'Bright-lamp-31');
    await page.click('button.login-btn');
    await page.waitForSelector('[data-test=change-password]');
    await page.click('[data-test=change-password]');
    await page.fill('[data-test=password-dialog] input[name=old_password]', 'Bright-lamp-31');
    await page.fill('[data-test=password-dialog] input[name=new_password]', 'Bright-lamp-32x');
    await page.fill('[data-test=password-dialog] input[name=again]', 'Bright-lamp-32x');
    await page.click('[data-test=save-password]');
    await page.waitForSelector('[data-test=password-dialog]', { state: 'hidden' });
    const r = await fetch(srv.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'console-pw', password: 'Bright-lamp-32x' }) });
    assert.equal(r.status, 200);
  });
});
