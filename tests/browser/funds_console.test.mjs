/*
 * 自治金 in the console (issue 17). The approval chain: staff review a demo
 * application from the inbox and record the 议事会's opinion on its page,
 * each step appearing in its history and the ledger's approved money
 * moving; a return for changes without a reason is refused with the
 * server's message and writes nothing; staff see who an application waits
 * for when the step is not theirs. Carrying projects out: staff upload a
 * receipt and record a spending line in yuan and see the ledger move; a
 * spending over the approval shows the server's error and writes nothing;
 * staff add a milestone and report it with a photo, close a project with
 * its final report, and create an application with a budget table whose
 * total the page keeps as they type. The street admin sets a line's amount
 * and is told plainly when it is below what the line has approved. The
 * yearly report draws its charts from GET /funds/report.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, consoleLogin, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f1e1f10000000049454e44ae426082', 'hex');
const yuanText = (fen) => '¥' + (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
const year = Number(today.slice(0, 4));

let srv;
let browser;
let staff; // API as the demo staff member

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staff = await apiAs(srv.url, 'staff');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function staffPage(username = 'staff') {
  const page = await newPage(browser);
  await consoleLogin(page, srv.url, username);
  return page;
}

/* Picks the option with @text of the el-select [data-test=@name]. */
async function pick(page, name, text) {
  await page.click(`[data-test=${name}]`);
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

async function fillDate(page, name, value) {
  const input = page.locator(`[data-test=${name}] input, input[data-test=${name}]`).first();
  await input.fill(value);
  await input.press('Enter');
}

/* The demo's project being carried out (银发合唱团演出服装). */
async function runningProject() {
  const r = await staff(`/funds/applications?state=approved&year=${year}`);
  const row = r.body.items.find((x) => x.title === '银发合唱团演出服装');
  assert.ok(row, JSON.stringify(r.body.items.map((x) => x.title)));
  return (await staff(`/funds/applications/${row.id}`)).body;
}

/* A fresh project of the staff, approved through the API (below the street's amount). */
async function approvedProject(title) {
  const budgets = (await staff(`/funds/budgets?year=${year}`)).body.items;
  const line = budgets[0].lines.find((l) => l.name === '环境改善');
  const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const c = await staff('/funds/applications', json('POST', {
    line_id: line.id, title, purpose: '测试结项', beneficiaries: '居民', starts_on: today, ends_on: today,
    items: [{ name: '清洁工具', unit: '套', quantity: 4, unit_fen: 2500 }],
  }));
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const id = c.body.id;
  assert.equal((await staff(`/funds/applications/${id}/submit`, { method: 'POST' })).status, 200);
  assert.equal((await staff(`/funds/applications/${id}/steps`, json('POST', { kind: 'review', decision: 'approve' }))).status, 200);
  const r = await staff(`/funds/applications/${id}/steps`, json('POST', { kind: 'council', decision: 'approve', reason: '同意', meeting_on: today }));
  assert.equal(r.body.state, 'approved', JSON.stringify(r.body));
  return id;
}

describe('community funds in the console', () => {
  test('staff review a demo application from the inbox, then record the 议事会 opinion: each step in its history, the ledger moves', async () => {
    const before = (await staff(`/funds/ledger?year=${year}`)).body;
    const lineBefore = before.lines.find((l) => l.name === '文体活动');
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds`);
    await page.click('[data-test=step-review]');
    await page.locator('[data-test=funds-inbox-table] .el-table__row', { hasText: '社区读书角' }).click();
    await page.waitForURL(/#\/funds\/applications\/\d+$/);
    const id = Number(page.url().match(/(\d+)$/)[1]);
    await page.waitForSelector('[data-test=funds-act]');
    assert.equal((await page.textContent('[data-test=app-state]')).trim(), '居委会审核');
    assert.match(await page.textContent('[data-test=app-items]'), /书架[\s\S]*¥680\.00[\s\S]*¥2,040\.00/, 'the budget table: 3 × ¥680.00');
    const steps0 = await page.locator('[data-test=app-step]').count();
    await page.fill('textarea[data-test=act-reason]', '材料齐全，书架尺寸已核实');
    await page.click('[data-test=act-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("议事会")');
    await page.waitForSelector(`[data-test=app-step]:nth-child(${steps0 + 1})`);
    const last = page.locator('[data-test=app-step]').last();
    assert.match(await last.textContent(), /居委会审核：同意 · 李社工[\s\S]*材料齐全，书架尺寸已核实/);

    // the 议事会's opinion: a meeting date and an opinion; below the street's amount it is approved
    assert.match(await page.textContent('[data-test=funds-act]'), /议事会意见/);
    await fillDate(page, 'act-meeting', today);
    await page.fill('textarea[data-test=act-reason]', '到会 9 人，9 票同意');
    await page.click('[data-test=act-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("执行中")');
    await page.waitForSelector(`[data-test=app-step]:nth-child(${steps0 + 2})`);
    assert.match(await page.locator('[data-test=app-step]').last().textContent(), new RegExp(`议事会意见：同意 · 李社工\\s*（${today} 会议，到会 9 人）[\\s\\S]*9 票同意`));
    assert.equal(await page.locator('[data-test=funds-act]').count(), 0, 'nothing left to decide');
    await shot(page, 'funds-console-approved');

    const got = (await staff(`/funds/applications/${id}`)).body;
    assert.equal(got.state, 'approved');
    assert.deepEqual(got.steps.slice(-2).map((x) => [x.kind, x.decision]), [['review', 'approve'], ['council', 'approve']]);
    // the ledger: approved + available = budget still, approved moved by the project's total
    await page.click('[data-test=app-back]');
    await page.click('.el-tabs__item:has-text("台账")');
    const row = page.locator('[data-test=funds-ledger-table] .el-table__body tr', { hasText: '文体活动' });
    const approved = lineBefore.approved + 294000;
    await row.locator(`td:has-text("${yuanText(approved)}")`).first().waitFor();
    assert.match(await row.textContent(), new RegExp(yuanText(lineBefore.available - 294000).replace(/[$.]/g, '\\$&')));
    assert.match(await page.textContent('[data-test=ledger-reconciles]'), /账目平衡/);
    const afterL = (await staff(`/funds/ledger?year=${year}`)).body.lines.find((l) => l.name === '文体活动');
    assert.equal(afterL.approved, approved);
    assert.equal(afterL.budget, afterL.approved + afterL.available);
    assert.deepEqual(page.errors, []);
  });

  test('returning an application needs a reason: the server says so and nothing is written; with one it goes back to the team', async () => {
    const r = await staff(`/funds/applications?state=council&year=${year}`);
    const row = r.body.items.find((x) => x.title === '楼道消防器材补充');
    assert.ok(row, JSON.stringify(r.body.items.map((x) => x.title)));
    const before = (await staff(`/funds/applications/${row.id}`)).body;
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds/applications/${row.id}`);
    await page.waitForSelector('[data-test=funds-act]');
    await page.click('[data-test=act-decision] label:has-text("退回修改")');
    await fillDate(page, 'act-meeting', today);
    await page.click('[data-test=act-submit]');
    const err = page.locator('[data-test=funds-act] .el-form-item__error');
    await err.waitFor();
    assert.match(await err.textContent(), /退回或不同意时请写明理由/);
    let got = (await staff(`/funds/applications/${row.id}`)).body;
    assert.equal(got.state, 'council', 'nothing written');
    assert.equal(got.steps.length, before.steps.length);
    await shot(page, 'funds-console-return-reason');

    await page.fill('textarea[data-test=act-reason]', '请补充两家供应商报价');
    await page.click('[data-test=act-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("退回修改")');
    assert.match(await page.locator('[data-test=app-step]').last().textContent(), /议事会意见：退回修改[\s\S]*请补充两家供应商报价/);
    got = (await staff(`/funds/applications/${row.id}`)).body;
    assert.equal(got.state, 'returned');
    assert.equal(got.steps.at(-1).reason, '请补充两家供应商报价');
    // the staff may edit it now, the reason on top
    assert.match(await page.textContent('[data-test=app-edit]'), /已退回修改：请补充两家供应商报价/);
    assert.deepEqual(page.errors, []);
  });

  test('staff see whom an application waits for when the step is not theirs; the street admin decides it', async () => {
    const r = await staff(`/funds/applications?state=street&year=${year}`);
    const row = r.body.items.find((x) => x.title === '小区健身角维修');
    assert.ok(row);
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds/applications/${row.id}`);
    await page.waitForSelector('[data-test=app-waits]');
    assert.match(await page.textContent('[data-test=app-waits]'), /等待街道审批/);
    assert.equal(await page.locator('[data-test=funds-act]').count(), 0);
    const sp = await staffPage('street');
    await sp.goto(`${srv.url}/#/funds/applications/${row.id}`);
    await sp.waitForSelector('[data-test=funds-act]');
    assert.match(await sp.textContent('[data-test=funds-act]'), /街道审批/);
    assert.deepEqual([...page.errors, ...sp.errors], []);
  });

  test('a change above the percentage waits for re-approval, shows in the inbox, and applies once approved', async () => {
    const id = await approvedProject('垃圾分类宣传栏');
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds/applications/${id}`);
    await page.click('[data-test=change-open]');
    const dlg = page.locator('[data-test=change-dialog]');
    await dlg.locator('[data-test=item-add]').click();
    await dlg.locator('input[data-test=item-name]').nth(1).fill('宣传海报');
    await dlg.locator('input[data-test=item-price]').nth(1).fill('50');
    await dlg.locator('[data-test=items-total]:has-text("¥150.00")').waitFor();
    await dlg.locator('textarea[data-test=change-reason]').fill('加印宣传海报');
    await page.click('[data-test=change-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("变更")');
    assert.match(await page.textContent('[data-test=app-pending-change]'), /加印宣传海报[\s\S]*新合计 ¥150\.00[\s\S]*宣传海报 1×¥50\.00/);
    let got = (await staff(`/funds/applications/${id}`)).body;
    assert.equal(got.state, 'change');
    assert.equal(got.approved_fen, 10000, 'the approval waits');
    await shot(page, 'funds-console-change');

    // the inbox's 变更审批 has it
    await page.click('[data-test=app-back]');
    await page.click('.el-tabs__item:has-text("待办")');
    await page.click('[data-test=step-change]');
    await page.locator('[data-test=funds-inbox-table] .el-table__row', { hasText: '垃圾分类宣传栏' }).click();
    await page.waitForSelector('[data-test=funds-act]');
    assert.match(await page.textContent('[data-test=funds-act]'), /变更审批/);
    await page.fill('textarea[data-test=act-reason]', '同意加印');
    await page.click('[data-test=act-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("执行中")');
    await page.waitForSelector('[data-test=app-items] .el-table__row:has-text("宣传海报")');
    assert.match(await page.textContent('[data-test=app-money]'), /¥150\.00 \//);
    got = (await staff(`/funds/applications/${id}`)).body;
    assert.equal(got.approved_fen, 15000);
    assert.deepEqual(got.steps.slice(-2).map((x) => [x.kind, x.decision]), [['change', null], ['change_review', 'approve']]);
    assert.deepEqual(page.errors, []);
  });

  test('staff record a spending line with a receipt; the ledger moves; over the approval is refused and writes nothing', async () => {
    const app = await runningProject();
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds/applications/${app.id}`);
    await page.waitForSelector('[data-test=spend-form]');
    assert.equal((await page.textContent('[data-test=app-state]')).trim(), '执行中');
    const files = (await page.locator('[data-test=app-file]').count());
    await page.setInputFiles('[data-test=upload-input]', { name: '发票-服装.png', mimeType: 'image/png', buffer: PNG });
    await page.waitForSelector(`[data-test=app-file]:nth-child(${files + 1})`);
    await pick(page, 'spend-item', '演出服');
    await page.fill('input[data-test=spend-amount]', '1,234.56');
    await fillDate(page, 'spend-date', today);
    await page.fill('input[data-test=spend-note]', '补做 4 套');
    const ledgerBefore = (await staff(`/funds/ledger?year=${year}`)).body.totals.spent;
    await page.click('[data-test=spend-submit]');
    await page.waitForSelector('[data-test=spending-table] .el-table__row:has-text("补做 4 套")');
    const after1 = (await staff(`/funds/applications/${app.id}`)).body;
    assert.equal(after1.spent_fen, app.spent_fen + 123456, 'yuan typed, exact fen stored');
    assert.equal(after1.spending.length, app.spending.length + 1);
    assert.equal(after1.spending.at(-1).receipt_id, after1.files.at(-1).id, 'with the receipt just uploaded');
    assert.match(await page.textContent('[data-test=app-money]'), new RegExp(`/ ¥${(after1.spent_fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`));
    assert.equal((await staff(`/funds/ledger?year=${year}`)).body.totals.spent, ledgerBefore + 123456, 'the ledger moves');
    await shot(page, 'funds-console-spend');

    // more than the project has left
    await page.fill('input[data-test=spend-amount]', '9000');
    await page.click('[data-test=spend-submit]');
    await page.waitForSelector('[data-test=spend-error]');
    assert.match(await page.textContent('[data-test=spend-error]'), /超过了项目批准的金额/);
    const after2 = (await staff(`/funds/applications/${app.id}`)).body;
    assert.equal(after2.spent_fen, after1.spent_fen, 'nothing written');
    assert.equal(after2.spending.length, after1.spending.length);
    assert.equal((await staff(`/funds/ledger?year=${year}`)).body.totals.spent, ledgerBefore + 123456);
    await shot(page, 'funds-console-over');
    assert.deepEqual(page.errors, []);
  });

  test('the Excel links give the list and the ledger; an approved project links its 公示 PDF', async () => {
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds`);
    await page.waitForSelector('[data-test=funds-export-ledger]');
    for (const which of ['funds-export-applications', 'funds-export-ledger']) {
      const href = await page.getAttribute(`[data-test=${which}]`, 'href');
      assert.match(href, /\/export\?/, which);
      const r = await page.request.get(srv.url + href);
      assert.equal(r.status(), 200, `${which}: ${await r.text()}`);
      assert.match(r.headers()['content-type'], /spreadsheetml/, which);
      assert.equal((await r.body()).subarray(0, 2).toString(), 'PK', `${which} is an xlsx (zip)`);
    }
    const app = await runningProject();
    await page.goto(`${srv.url}/#/funds/applications/${app.id}`);
    const href = await page.getAttribute('[data-test=app-notice-pdf]', 'href');
    const r = await page.request.get(srv.url + href);
    assert.equal(r.status(), 200, await r.text());
    assert.equal((await r.body()).subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(page.errors, []);
  });

  test('staff add a milestone and report it with a photo', async () => {
    const app = await runningProject();
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds/applications/${app.id}`);
    await page.waitForSelector('[data-test=app-milestones]');
    await page.click('[data-test=upload-kind] label:has-text("照片")');
    await page.setInputFiles('[data-test=upload-input]', { name: '排练照片.png', mimeType: 'image/png', buffer: PNG });
    await page.waitForSelector('[data-test=app-file]:has-text("排练照片.png")');
    await page.fill('input[data-test=milestone-title]', '汇演彩排');
    await fillDate(page, 'milestone-due', today);
    await page.click('[data-test=milestone-add]');
    const ms = page.locator('[data-test=milestone]', { hasText: '汇演彩排' });
    await ms.waitFor();
    await ms.locator('[data-test=milestone-report-open]').click();
    await page.fill('textarea[data-test=report-text]', '彩排顺利，服装合身');
    await page.locator('[data-test=report-files] label', { hasText: '排练照片.png' }).click();
    await page.click('[data-test=report-submit]');
    await ms.locator('[data-test=milestone-report]').waitFor();
    assert.match(await ms.textContent(), /彩排顺利，服装合身/);
    assert.match(await ms.textContent(), /排练照片\.png/);
    const got = (await staff(`/funds/applications/${app.id}`)).body;
    const m = got.milestones.find((x) => x.title === '汇演彩排');
    assert.equal(m.report, '彩排顺利，服装合身');
    assert.equal(got.files.find((f) => f.name === '排练照片.png').milestone_id, m.id);
    assert.deepEqual(page.errors, []);
  });

  test('staff close a project with a final report; the rest goes back', async () => {
    const id = await approvedProject('楼道清洁日');
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds/applications/${id}`);
    await page.click('[data-test=close-open]');
    await page.fill('textarea[data-test=close-report]', '清洁日顺利举行，工具留社区循环使用');
    await page.click('[data-test=close-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("已结项")');
    assert.match(await page.textContent('[data-test=app-final-report]'), /清洁日顺利举行/);
    assert.equal(await page.locator('[data-test=spend-form]').count(), 0, 'no spending after closing');
    const got = (await staff(`/funds/applications/${id}`)).body;
    assert.equal(got.state, 'closed');
    assert.equal(got.returned_fen, 10000);
    assert.match(await page.textContent('[data-test=app-evaluation]'), /还没有居民评价/);

    // a closed demo project: its receipts are images (drawn, not 1×1), the residents' evaluation
    const demo = (await staff(`/funds/applications?state=closed&year=${year}`)).body.items.find((x) => x.title === '重阳节敬老午餐会');
    await page.goto(`${srv.url}/#/funds/applications/${demo.id}`);
    await page.waitForSelector('[data-test=app-evaluation]:has-text("1 条，平均 5.0 分")');
    const receipts = page.locator('[data-test=app-file]:has-text("票据") img');
    assert.equal(await receipts.count(), 3);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-test=app-file] img')].every((i) => i.complete && i.naturalWidth > 1));
    assert.deepEqual(page.errors, []);
  });

  test('staff create an application: a budget table in yuan with a live total, a draft, then submitted', async () => {
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds`);
    await page.click('[data-test=funds-new]');
    await page.waitForSelector('[data-test=app-edit]');
    await pick(page, 'edit-line', '为老服务');
    await page.fill('input[data-test=edit-title]', '老年助餐点餐具');
    await page.fill('input[data-test=item-name]', '保温餐盒');
    await page.fill('input[data-test=item-price]', '38.5');
    await page.locator('[data-test=item-quantity] input, input[data-test=item-quantity]').first().fill('20');
    await page.locator('[data-test=item-quantity] input, input[data-test=item-quantity]').first().blur();
    await page.waitForSelector('[data-test=items-total]:has-text("¥770.00")');
    await page.click('[data-test=item-add]');
    await page.locator('input[data-test=item-name]').nth(1).fill('消毒柜');
    await page.locator('input[data-test=item-price]').nth(1).fill('1200');
    await page.waitForSelector('[data-test=items-total]:has-text("¥1,970.00")');
    await page.click('[data-test=edit-save]');
    await page.waitForURL(/#\/funds\/applications\/\d+$/);
    await page.waitForSelector('[data-test=app-missing]');
    assert.match(await page.textContent('[data-test=app-missing]'), /目的/);
    const id = Number(page.url().match(/(\d+)$/)[1]);
    let got = (await staff(`/funds/applications/${id}`)).body;
    assert.equal(got.state, 'draft');
    assert.equal(got.total_fen, 197000);
    assert.deepEqual(got.items.map((x) => [x.name, x.quantity, x.unit_fen]), [['保温餐盒', 20, 3850], ['消毒柜', 1, 120000]]);
    await shot(page, 'funds-console-draft');
    await page.fill('textarea[data-test=edit-purpose]', '为助餐点添置餐具');
    await page.fill('input[data-test=edit-beneficiaries]', '助餐点 40 位老人');
    await fillDate(page, 'edit-starts', today);
    await fillDate(page, 'edit-ends', today);
    await page.click('[data-test=edit-submit]');
    await page.waitForSelector('[data-test=app-state]:has-text("居委会审核")');
    got = (await staff(`/funds/applications/${id}`)).body;
    assert.equal(got.state, 'review');
    assert.deepEqual(page.errors, []);
  });

  test('the street admin sets a line amount; below what it approved is refused plainly', async () => {
    const street = await apiAs(srv.url, 'street');
    const line = (await street(`/funds/budgets?year=${year}`)).body.items[0].lines.find((l) => l.name === '文体活动');
    assert.ok(line.approved_fen > 100000, JSON.stringify(line));
    const page = await staffPage('street');
    await page.goto(`${srv.url}/#/funds`);
    await page.click('.el-tabs__item:has-text("预算")');
    const row = page.locator('[data-test=funds-line]', { hasText: '文体活动' });
    await row.locator('[data-test=line-edit]').click();
    await row.locator('input[data-test=line-amount]').fill('1000');
    await row.locator('[data-test=line-save]').click();
    await row.locator('[data-test=line-error]').waitFor();
    assert.match(await row.locator('[data-test=line-error]').textContent(), /不能低于该科目已批准的金额/);
    assert.equal((await street(`/funds/budgets?year=${year}`)).body.items[0].lines.find((l) => l.id === line.id).budget_fen, line.budget_fen, 'nothing written');
    await shot(page, 'funds-console-below-approved');
    await row.locator('input[data-test=line-amount]').fill('26000.5');
    await row.locator('[data-test=line-save]').click();
    await row.locator('[data-test=line-budget]:has-text("¥26,000.50")').waitFor();
    assert.equal((await street(`/funds/budgets?year=${year}`)).body.items[0].lines.find((l) => l.id === line.id).budget_fen, 2600050);
    // community staff only read the budget
    const sp = await staffPage();
    await sp.goto(`${srv.url}/#/funds`);
    await sp.click('.el-tabs__item:has-text("预算")');
    await sp.waitForSelector('[data-test=funds-line]');
    assert.equal(await sp.locator('[data-test=line-edit]').count(), 0);
    assert.equal(await sp.locator('[data-test=budget-create]').count(), 0);
    assert.deepEqual([...page.errors, ...sp.errors], []);
  });

  test('the street admin sets next year\'s fund of a community with its lines; an amount that is not one is refused before sending', async () => {
    const street = await apiAs(srv.url, 'street');
    const next = year + 1;
    assert.equal((await street(`/funds/budgets?year=${next}`)).body.items.length, 0);
    const page = await staffPage('street');
    await page.goto(`${srv.url}/#/funds`);
    await pick(page, 'funds-year', `${next} 年`);
    await page.click('.el-tabs__item:has-text("预算")');
    await page.waitForSelector('[data-test=budget-create]');
    const name = (await page.textContent('[data-test=create-community] .el-select__selected-item:not(.is-hidden)')).trim();
    assert.ok(name && name !== '幸福居委会', `a community without a fund is offered: ${name}`);
    await page.locator('input[data-test=create-line-name]').fill('环境改善');
    await page.locator('input[data-test=create-line-amount]').fill('12.345');
    await page.click('[data-test=create-submit]');
    await page.waitForSelector('[data-test=budget-create] .el-form-item__error:has-text("每个科目都要有名称和金额")');
    assert.equal((await street(`/funds/budgets?year=${next}`)).body.items.length, 0, 'nothing sent');
    await page.locator('input[data-test=create-line-amount]').fill('30,000');
    await page.click('[data-test=budget-create] button:has-text("添加一行")');
    await page.locator('input[data-test=create-line-name]').nth(1).fill('为老服务');
    await page.locator('input[data-test=create-line-amount]').nth(1).fill('25000.5');
    await page.click('[data-test=create-submit]');
    await page.waitForSelector('[data-test=funds-budget-card]');
    const got = (await street(`/funds/budgets?year=${next}`)).body.items;
    assert.equal(got.length, 1);
    assert.equal(got[0].community_name, name);
    assert.equal(got[0].street_min_fen, 500000);
    assert.deepEqual(got[0].lines.map((l) => [l.name, l.budget_fen]), [['环境改善', 3000000], ['为老服务', 2500050]]);
    assert.match(await page.textContent('[data-test=funds-budget-card]'), /为老服务[\s\S]*¥25,000\.50/);
    assert.deepEqual(page.errors, []);
  });

  test('the yearly report draws its charts from the report data', async () => {
    const rep = (await staff(`/funds/report?year=${year}`)).body;
    assert.ok(rep.months.length > 0 && rep.states.length > 0);
    const page = await staffPage();
    await page.goto(`${srv.url}/#/funds`);
    await page.click('[data-test=funds-report-link]');
    for (const c of ['lines', 'states', 'months']) await page.waitForSelector(`[data-test=report-chart-${c}] canvas`);
    const names = new Set(rep.lines.map((l) => l.name));
    assert.equal(await page.getAttribute('[data-test=report-chart-lines]', 'data-points'), String(names.size));
    assert.equal(await page.getAttribute('[data-test=report-chart-states]', 'data-points'), String(rep.states.length));
    assert.equal(await page.getAttribute('[data-test=report-chart-months]', 'data-points'), String(rep.months.length));
    assert.match(await page.textContent('[data-test=report-kpis]'), new RegExp(`${rep.states.reduce((n, s) => n + s.count, 0)} 个`));
    await shot(page, 'funds-console-report');
    assert.deepEqual(page.errors, []);
  });
});
