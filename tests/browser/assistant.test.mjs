/*
 * The assistant in chromium: a resident asks on her phone (390×844), sees the
 * answer with the entry it cites, taps a suggestion, marks an answer not
 * helpful and hands a question to a person; staff on the console turn the
 * unanswered group into a new entry, after which asking gets that entry.
 *
 * The knowledge base is made here through the API: the demo's sample one is
 * emptied first, so that these few entries are all there is.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PASSWORD, apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';

let srv, browser, staffApi, residentApi;

const ENTRIES = [
  { section: '福利帮扶', question: '家里生活困难，低保怎么申请？', answer: '持户口本、身份证和收入证明到街道社区事务受理服务中心申请，居委会可以帮您先看材料。', keywords: '低保 最低生活保障 申请' },
  { section: '福利帮扶', question: '低保金每个月什么时候发？', answer: '低保金每月 10 日前打到您的社保卡上。' },
  { section: '福利帮扶', question: '低保每年要复核吗？', answer: '每年复核一次，居委会会提前通知您准备材料。' },
  { section: '便民服务', question: '社区图书室周末开门吗？', answer: '图书室周六、周日 9:00—17:00 开放。' },
];

async function post(api, path, body) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staffApi = await apiAs(srv.url, 'staff');
  residentApi = await apiAs(srv.url, 'resident');
  if (srv.db) // the server sees the change by kb_state.version, as any other process's
    execFileSync('sqlite3', [srv.db, 'DELETE FROM kb_entry; UPDATE kb_state SET version = version + 1']);
  for (const e of ENTRIES) {
    const r = await post(staffApi, '/kb/entries', e);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function h5Login(page, username, to = '') {
  await page.goto(srv.url + '/h5/#/login' + (to ? '?redirect=' + encodeURIComponent(to) : ''));
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

async function askOnPage(page, q) {
  const n = await page.locator('[data-test=answer]').count();
  await page.fill('[data-test=question-input]', q);
  await page.click('[data-test=send]');
  await page.waitForFunction((k) => document.querySelectorAll('[data-test=answer]').length > k, n);
  return page.locator('[data-test=answer]').nth(n);
}

describe('assistant', () => {
  test('a resident asks on her phone, sees the cited answer, taps a suggestion, rates, hands over', async () => {
    const page = await newPage(browser, { phone: true });
    await h5Login(page, 'resident');
    await page.waitForSelector('[data-test=assistant-link]');
    await shot(page, 'h5-home-assistant-link');
    await page.click('[data-test=assistant-link]');
    await page.waitForSelector('[data-test=question-input]');
    await shot(page, 'h5-assistant-empty');

    // the send button is large enough to hit with a thumb
    const box = await page.locator('[data-test=send]').boundingBox();
    assert.ok(box.height >= 48 && box.width >= 64, JSON.stringify(box));

    let answer = await askOnPage(page, '低保咋申请');
    assert.match(await answer.locator('[data-test=answer-text]').textContent(), /社区事务受理服务中心/);
    const cite = await answer.locator('[data-test=citation]').textContent();
    assert.match(cite, /福利帮扶/);
    assert.match(cite, /低保怎么申请/);
    assert.equal(await answer.locator('[data-test=suggestion]').count() > 0, true);
    await shot(page, 'h5-assistant-answer');

    // a suggestion chip asks its question
    const chip = answer.locator('[data-test=suggestion]').first();
    const chipText = (await chip.textContent()).trim();
    await chip.click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=answer]').length === 2);
    const mine = page.locator('[data-test=my-question]');
    assert.equal((await mine.nth(1).textContent()).trim(), chipText);
    answer = page.locator('[data-test=answer]').nth(1);
    assert.match(await answer.locator('[data-test=citation]').textContent(), new RegExp(chipText.replace(/[？?]/g, '.')));

    // not helpful: recorded for the staff, and a way to a person appears
    await answer.locator('[data-test=not-helpful]').click();
    await answer.locator('[data-test=rated]').waitFor();
    const groups = (await staffApi('/assistant/unanswered')).body.items;
    assert.ok(groups.some((g) => g.question === chipText && g.not_helpful === 1), JSON.stringify(groups));
    assert.equal(await answer.locator('[data-test=handoff]').count(), 1);

    // what it cannot answer, and 转人工
    answer = await askOnPage(page, '小区的流浪猫谁来管');
    assert.equal((await answer.locator('[data-test=answer-text]').textContent()).trim(), '这个问题我还不会，已转给社区工作人员');
    assert.equal(await answer.locator('[data-test=citation]').count(), 0);
    await answer.locator('[data-test=handoff]').click();
    await page.waitForSelector('[data-test=handoff-phone]');
    await page.fill('[data-test=handoff-phone] input', '1391234');
    await page.click('[data-test=handoff-submit]');
    await page.waitForSelector('.van-field__error-message');
    assert.match(await page.textContent('.van-field__error-message'), /手机|电话|号码/);
    await shot(page, 'h5-assistant-handoff-form');
    await page.fill('[data-test=handoff-phone] input', '13912345678');
    await page.click('[data-test=handoff-submit]');
    await answer.locator('[data-test=handoff-done]').waitFor();
    assert.match(await answer.locator('[data-test=handoff-done]').textContent(), /139\*\*\*\*5678/);
    await shot(page, 'h5-assistant-handoff-done');

    // elder mode: bigger type on the same page
    const before = await page.$eval('[data-test=answer-text]', (el) => parseFloat(getComputedStyle(el).fontSize));
    await page.click('[data-test=elder-quick]');
    const elder = await page.$eval('[data-test=answer-text]', (el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(elder > before, `${elder} > ${before}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'h5-assistant-elder');
    assert.deepEqual(page.errors, []);
  });

  test('staff turn an unanswered group into a new entry; then asking gets it', async () => {
    for (const q of ['垃圾分类的湿垃圾几点投放', '湿垃圾几点可以扔'])
      assert.equal((await post(residentApi, '/assistant/ask', { question: q })).body.answered, false, q);

    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(srv.url + '/#/assistant/unanswered');
    const group = page.locator('tr', { has: page.locator('[data-test=unanswered-group]', { hasText: '湿垃圾' }) });
    await group.first().waitFor();
    assert.match(await group.first().locator('[data-test=group-count]').textContent(), /2/);
    await shot(page, 'console-assistant-unanswered');
    await group.first().locator('[data-test=to-entry]').click();
    const dialog = page.locator('[data-test=entry-dialog]');
    await dialog.waitFor();
    await dialog.locator('[data-test=entry-section] input').fill('垃圾分类');
    await dialog.locator('[data-test=entry-answer] textarea').fill('湿垃圾每天 7:00—9:00、18:00—20:00 在小区定时投放点投放。');
    await shot(page, 'console-assistant-to-entry');
    await dialog.locator('[data-test=entry-save]').click();
    await page.waitForSelector('.el-message--success');
    await page.waitForFunction(() => ![...document.querySelectorAll('[data-test=unanswered-group]')].some((el) => el.textContent.includes('湿垃圾')));

    const r = await post(residentApi, '/assistant/ask', { question: '湿垃圾几点可以扔' });
    assert.equal(r.body.answered, true);
    assert.match(r.body.answer, /定时投放点/);

    // the new entry is in the knowledge base under its section
    await menuGo(page, 'menu-kb');
    await page.locator('[data-test=kb-section]', { hasText: '垃圾分类' }).click();
    await page.locator('[data-test=kb-table] tr', { hasText: '湿垃圾几点可以扔' }).waitFor();
    await page.locator('[data-test=kb-section]', { hasText: '福利帮扶' }).click();
    await page.locator('[data-test=kb-table] tr', { hasText: '低保金每个月' }).waitFor();
    await shot(page, 'console-assistant-kb');
    await menuGo(page, 'menu-assistant-stats');
    await page.waitForSelector('[data-test=chart-days] canvas');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=astat-asked] .stat-value')?.textContent || ''));
    /* per section, how the questions ended: the table's rows are the API's sections */
    const stats = (await (await apiAs(srv.url, 'staff'))('/assistant/stats?days=30')).body;
    await page.waitForSelector('[data-test=section-table] .el-table__body tr');
    const rowsShown = await page.$$eval('[data-test=section-table] .el-table__body tr', (rs) => rs.map((r) => r.textContent));
    assert.equal(rowsShown.length, stats.sections.length);
    for (const sec of stats.sections.filter((x) => x.section))
      assert.ok(rowsShown.some((t) => t.includes(sec.section) && t.includes(`${sec.answered}（`)), sec.section);
    await shot(page, 'console-assistant-stats');
    assert.deepEqual(page.errors, []);
  });
});
