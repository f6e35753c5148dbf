/* The resident H5 (/h5/) driven in chromium at phone size (390×844). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, apiAs, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';

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
}

const px = (page, sel) => page.$eval(sel, (el) => parseFloat(getComputedStyle(el).fontSize));

describe('resident H5', () => {
  test('a resident logs in on a phone and sees her household', async () => {
    const me = (await (await apiAs(srv.url, 'resident'))('/me')).body;
    assert.ok(me.household, 'the demo resident has a household');

    const page = await newPage(browser, { phone: true });
    await page.goto(srv.url + '/h5/');
    await page.waitForSelector('input[name=username]');
    await shot(page, 'h5-login');
    await h5Login(page, 'resident');
    await page.waitForSelector('[data-test=household-address]');
    assert.equal((await page.textContent('[data-test=household-address]')).trim(), me.household.address);
    const members = me.household.members || me.household.residents;
    assert.equal(await page.locator('[data-test=member]').count(), members.length);
    const first = await page.textContent('[data-test=member] .m-name');
    assert.ok(first.includes(members[0].name));
    /* Nothing wider than the phone. */
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390));
    await shot(page, 'h5-home');

    await page.click('.van-tabbar >> text="我的社区"');
    await page.waitForSelector('[data-test=community-name]');
    assert.equal((await page.textContent('[data-test=community-name]')).trim(), me.community.name);
    assert.equal((await page.textContent('[data-test=street-name]')).trim(), me.community.street_name);
    await shot(page, 'h5-community');
    assert.deepEqual(page.errors, []);
    /* the session is the HttpOnly cookie: no token in storage, none readable by scripts */
    const stored = await page.evaluate(() => Object.values({ ...localStorage, ...sessionStorage }).join(' '));
    assert.ok(!/[A-Za-z0-9_-]{43}/.test(stored), stored);
    assert.equal(await page.evaluate(() => document.cookie), '');
    assert.equal(await page.evaluate(() => localStorage.getItem('linli.h5.token')), '1');
    await page.context().close();
  });

  test('pages carry a Content-Security-Policy that forbids inline script and framing by others', async () => {
    for (const p of ['/h5/', '/']) {
      const res = await fetch(srv.url + p);
      const csp = res.headers.get('content-security-policy') || '';
      assert.match(csp, /script-src 'self'(;|$)/, p);
      assert.match(csp, /frame-ancestors 'self'/, p);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
      const html = await res.text();
      assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), `${p} has an inline script`);
    }
    /* elder mode still applies before the app starts (from /elder-boot.js) */
    const page = await newPage(browser, { phone: true });
    await page.context().addInitScript(() => localStorage.setItem('linli.elder', '1'));
    await page.goto(srv.url + '/h5/');
    await page.waitForSelector('input[name=username]');
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a wrong password shows the server message', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(srv.url + '/h5/');
    await page.fill('input[name=username]', 'resident');
    await page.fill('input[name=password]', 'nope-nope');
    await page.click('button[type=submit]');
    assert.match(await page.textContent('[data-test=login-error]'), /[\u4e00-\u9fff]/);
    await page.context().close();
  });

  test('elder mode stays on after a reload, on the login page too', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(srv.url + '/h5/');
    await page.waitForSelector('[data-test=elder-toggle]');
    const normal = await px(page, 'body');
    await page.click('[data-test=elder-toggle]');
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')));

    await page.reload();
    await page.waitForSelector('input[name=username]');
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')), 'still on after reload');
    assert.ok((await px(page, 'body')) >= 20, 'base type is at least 20px');
    assert.ok((await px(page, 'body')) > normal);
    const btn = await page.locator('button[type=submit]').boundingBox();
    assert.ok(btn.height >= 56, `login button is ${btn.height}px tall`);
    await shot(page, 'h5-login-elder');

    await h5Login(page, 'resident');
    await page.waitForSelector('[data-test=household-address]');
    assert.ok((await px(page, '[data-test=household-address]')) >= 24);
    await shot(page, 'h5-home-elder');

    /*
     * 我的社区 in large type: each fact fits on one line in any font. The box is
     * set by the layout, not the font; it must hold the text at the widest a
     * font draws it (a CJK character 1 em, anything else at most 0.7 em).
     */
    await page.goto(srv.url + '/h5/#/community');
    await page.waitForSelector('[data-test=community-facts] .van-cell__value');
    const boxes = await page.$$eval('[data-test=community-facts] .van-cell__value', (els) =>
      els.map((el) => {
        const text = el.textContent.trim();
        const em = parseFloat(getComputedStyle(el).fontSize);
        const need = [...text].reduce((w, ch) => w + (/[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 1 : 0.7), 0) * em;
        return [text, Math.floor(el.clientWidth), Math.ceil(need)];
      }));
    assert.ok(boxes.some(([t]) => /室/.test(t)), 'the address is among the facts');
    for (const [text, width, need] of boxes) assert.ok(width >= need, `"${text}" needs ${need} px in the widest font, has ${width}`);
    assert.doesNotMatch(await page.textContent('[data-test=community-facts]'), /区划代码|\d{12}/, 'no division codes for residents');
    await shot(page, 'h5-community-elder');

    /* A fresh load of any page keeps it, and the switch on 我的 shows it on. */
    await page.goto(srv.url + '/h5/#/mine');
    await page.waitForSelector('[data-test=elder-switch]');
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')));
    assert.equal(await page.locator('[data-test=elder-switch].van-switch--on').count(), 1);
    await shot(page, 'h5-mine-elder');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('an expired session goes back to login', async () => {
    const page = await newPage(browser, { phone: true });
    await page.context().addInitScript(() => localStorage.setItem('linli.h5.token', 'not-a-real-token'));
    await page.goto(srv.url + '/h5/#/home');
    await page.waitForSelector('input[name=username]');
    assert.match(page.url(), /#\/login/);
    await page.context().close();
  });
  test('a page whose script is lost on the way is loaded again, not left blank', async () => {
    const page = await newPage(browser, { phone: true });
    let dropped = 0;
    /* the register page's script is lost twice (the preload and the import), as on a weak signal */
    await page.route(/\/assets\/Register-[A-Za-z0-9_-]+\.js$/, (route) => (dropped++ >= 2 ? route.continue() : route.abort('connectionreset')));
    await page.goto(srv.url + '/h5/#/login');
    await page.waitForSelector('[data-test=to-register]');
    await page.click('[data-test=to-register]');
    await page.waitForSelector('[data-test=register-form]');
    assert.equal(dropped >= 3, true, 'the script was asked for again after the loss');
    assert.match(page.url(), /#\/register/);
    await page.context().close();
  });

  test('the bell counts unread notices; the notices page opens a case and marks it read', async () => {
    const resident = await apiAs(srv.url, 'resident');
    const staff = await apiAs(srv.url, 'staff');
    const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await resident('/notices/read-all', { method: 'POST' })).status, 200);
    const me = (await resident('/me')).body;
    const units = (await staff(`/case-units?community=${me.community.code}`)).body.items;
    /* another case, dispatched: one unread notice */
    let r = await resident('/cases', json('POST', { category: 'other', description: '路灯不亮', building_id: me.household.building_id }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await staff(`/cases/${r.body.id}/dispatch`, json('POST', { unit: units[0].id }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await resident('/cases', json('POST', { category: 'other', description: '单元门禁坏了', building_id: me.household.building_id }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id;
    r = await staff(`/cases/${id}/dispatch`, json('POST', { unit: units[0].id }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await staff(`/cases/${id}/hold`, json('POST', { reason: '等待配件到货' }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    /* the hold folds the dispatch of the same case: one unread line a case */
    const unread = (await resident('/notices?unread=1')).body.unread;
    assert.equal(unread, 2, `unread ${unread}`);

    const page = await newPage(browser, { phone: true });
    await h5Login(page, 'resident');
    await page.waitForSelector('[data-test=notice-bell] .van-badge');
    assert.equal((await page.textContent('[data-test=notice-bell] .van-badge')).trim(), String(unread));
    await shot(page, 'h5-home-bell');
    await page.click('[data-test=notice-bell]');
    await page.waitForSelector('[data-test=notice]');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390));
    await shot(page, 'h5-notices');
    const first = page.locator('[data-test=notice].unread').first();
    assert.match(await first.textContent(), /报事已挂起/);
    await first.click();
    await page.waitForURL(new RegExp(`/cases/${id}$`));
    const after = (await resident('/notices?unread=1')).body.unread;
    assert.equal(after, unread - 1, 'opening it marked it read');
    await page.goBack();
    await page.waitForSelector('[data-test=read-all]');
    await page.click('[data-test=read-all]');
    await page.waitForSelector('[data-test=read-all]', { state: 'detached' });
    assert.equal(await page.locator('[data-test=notice].unread').count(), 0);
    assert.equal((await resident('/notices?unread=1')).body.unread, 0);
    await page.goBack();
    await page.waitForSelector('[data-test=notice-bell]');
    assert.equal(await page.locator('[data-test=notice-bell] .van-badge').count(), 0, 'no badge at zero');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

