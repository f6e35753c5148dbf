/*
 * The community profile in the browser: staff fill in 社区信息 in the console
 * (1366×768) and save; the resident's H5 (390×844, 长辈版) shows it on 我的社区,
 * the home's 呼叫居委会 tile dials the office phone, and the assistant answers
 * "居委会电话多少" with the new number and offers the page to book a room.
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
}

describe('community profile', () => {
  test('staff save the profile in the console; the resident sees it and the assistant uses it', async () => {
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-community-profile');
    await page.waitForSelector('[data-test=office_phone]');
    /* the demo's profile is loaded into the form */
    assert.match(await page.inputValue('[data-test=office_phone]'), /^021-/);
    await page.fill('[data-test=office_phone]', '12345');
    await page.click('[data-test=profile-save]');
    /* a wrong number is refused in words, next to the field */
    await page.waitForSelector('.el-form-item__error');
    assert.match(await page.textContent('.el-form-item__error'), /[\u4e00-\u9fff]/);
    await page.fill('[data-test=office_phone]', '021-62518888');
    await page.fill('[data-test=office_hours]', '周一至周日 8:00—20:00');
    await page.fill('[data-test=duty_phone]', '13900002222');
    await page.click('[data-test=profile-save]');
    await page.waitForSelector('.el-message--success');
    assert.match(await page.textContent('.el-message--success'), /已保存/);
    await shot(page, 'console-community-profile');
    const staff = await apiAs(srv.url, 'staff');
    const me = (await staff('/me')).body;
    assert.equal((await staff(`/communities/${me.user.scope}/profile`)).body.office_phone, '021-62518888');
    await page.close();

    const h5 = await newPage(browser, { phone: true });
    /* 长辈版, whose home is the big tiles with 呼叫居委会 */
    await h5.context().addInitScript(() => localStorage.setItem('linli.elder', '1'));
    await h5Login(h5, 'resident');
    await h5.waitForSelector('[data-test=tile-call]');
    assert.equal(await h5.getAttribute('[data-test=tile-call]', 'href'), 'tel:021-62518888');
    await h5.goto(srv.url + '/h5/#/community');
    await h5.waitForSelector('[data-test=community-profile]');
    const text = await h5.textContent('[data-test=community-profile]');
    assert.match(text, /021-62518888/);
    assert.match(text, /周一至周日 8:00—20:00/);
    assert.match(text, /13900002222/);
    assert.ok(await h5.evaluate(() => document.documentElement.scrollWidth <= 390), 'fits the phone');
    await shot(h5, 'h5-community-profile');

    await h5.goto(srv.url + '/h5/#/assistant');
    await h5.fill('[data-test=question-input]', '居委会电话多少');
    await h5.click('[data-test=send]');
    await h5.waitForSelector('[data-test=answer-text]');
    assert.match(await h5.textContent('[data-test=answer-text]'), /021-62518888/);
    await h5.fill('[data-test=question-input]', '活动室怎么预约');
    await h5.click('[data-test=send]');
    await h5.waitForSelector('[data-test=answer-link]');
    await shot(h5, 'h5-assistant-link');
    /* in 长辈版 the button that does something is as easy to read as 朗读 beside it */
    const size = (sel) => h5.$eval(sel, (el) => parseFloat(getComputedStyle(el.querySelector('.van-button__text') || el).fontSize));
    const go = await size('[data-test=answer-link]');
    assert.ok(go >= 18 && go >= (await size('.chat-list [data-test=read-aloud]')), `去办理 is ${go}px`);
    await h5.click('[data-test=answer-link]');
    await h5.waitForURL(/#\/rooms$/);
    await h5.close();
  });
});
