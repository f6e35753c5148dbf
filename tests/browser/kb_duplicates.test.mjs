/*
 * 知识库 → 重复条目 (issue 14): the administrator sees the sample knowledge
 * base's near-duplicates side by side and merges a pair in two clicks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';

let srv, browser;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the administrator finds two entries asking the same thing and merges them', async () => {
  const admin = await apiAs(srv.url, 'admin');
  const found = (await admin('/kb/duplicates')).body.items;
  assert.ok(found.length > 0, 'the sample knowledge base has near-duplicates');
  const [first] = found;

  const page = await newPage(browser);
  await page.setViewportSize({ width: 1366, height: 768 });
  await consoleLogin(page, srv.url, 'admin');
  await menuGo(page, 'menu-kb');
  await page.click('.el-tabs__item:has-text("重复条目")');
  await page.waitForSelector('[data-test=dup-pair]');
  assert.equal(await page.locator('[data-test=dup-pair]').count(), found.length);
  const text = await page.locator('[data-test=dup-pair]').first().textContent();
  assert.ok(text.includes(first.a.question) && text.includes(first.b.question), 'both questions side by side');
  await shot(page, 'console-kb-duplicates');

  await page.locator('[data-test=dup-pair]').first().locator('[data-test=dup-keep-a]').click();
  await page.click('.el-message-box__btns button:has-text("合并")');
  await page.waitForSelector(`.el-message:has-text("已合并到 ${first.a.id}")`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=dup-pair]').length < n, found.length);
  assert.equal((await admin(`/kb/entries/${first.b.id}`)).status, 404);
  assert.ok((await admin(`/kb/entries/${first.a.id}`)).body.alternatives.includes(first.b.question));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
