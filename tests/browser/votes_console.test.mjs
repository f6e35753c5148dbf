/*
 * The console's 议事表决 pages (issue 16), as the community's staff uses
 * them on the demo: the topics list, a topic moderated (a comment hidden
 * with a reason, the topic hidden and shown, moved to 协商 with a note), a
 * meeting's page with its booked room and sign-in code, the 加装电梯 vote's
 * live participation moving when a ballot comes in elsewhere, a paper
 * ballot recorded with the signed sheet's photo changing the count, the
 * vote closed with each condition of the result shown with ✓ or ✗, the
 * chain verified, and the lift project's objections registered and
 * resolved by 协调.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMUNITY, PASSWORD, apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let srv, browser, page, staff, resident;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staff = await apiAs(srv.url, 'staff');
  resident = await apiAs(srv.url, 'resident');
  page = await newPage(browser);
  await consoleLogin(page, srv.url, 'staff');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function pick(selectTest, text) {
  await page.click(`[data-test=${selectTest}]`);
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

/* answers the open ElMessageBox prompt with @text and confirms */
async function prompt(text) {
  const box = page.locator('.el-message-box:visible');
  await box.locator('input, textarea').first().fill(text);
  await box.locator('.el-message-box__btns .el-button--primary').click();
  await box.waitFor({ state: 'hidden' });
}

test('topics: the list, a comment hidden with its reason, the topic hidden and shown, moved to 协商', async () => {
  await menuGo(page, 'menu-votes-topics');
  await page.waitForSelector('[data-test=topics-table] .el-table__row');
  const code = COMMUNITY;
  const list = (await staff(`/topics?community=${code}`)).body;
  assert.ok(list.total >= 2, 'the demo has topics');
  assert.match(await page.textContent('[data-test=topics-total]'), new RegExp(`共 ${list.total} 个议题`));
  const titles = await page.locator('[data-test=topic-title]').allTextContents();
  assert.deepEqual(titles, list.items.map((t) => t.title));
  await shot(page, 'votes-topics');

  await page.locator('[data-test=topics-table] .el-table__row', { hasText: '东区停车位重新划线' }).click();
  await page.waitForSelector('[data-test=topic-comment]');
  const topicId = Number(page.url().match(/topics\/(\d+)/)[1]);

  // the comment with a phone number, hidden with a reason: residents read the placeholder
  const comment = page.locator('[data-test=topic-comment]', { hasText: '13900001234' });
  await comment.locator('[data-test=comment-hide]').click();
  await prompt('含个人联系方式');
  await comment.locator('[data-test=comment-hidden]').waitFor();
  assert.match(await comment.locator('[data-test=comment-hidden]').textContent(), /含个人联系方式/);
  const seen = (await resident(`/topics/${topicId}`)).body.comments.find((c) => c.hidden);
  assert.ok(seen, 'hidden for residents too');
  assert.equal(seen.text.includes('13900001234'), false);

  // hidden with a reason, then shown again
  await page.click('[data-test=topic-hide]');
  await prompt('与其他议题重复，待核实');
  await page.waitForSelector('[data-test=topic-hidden-reason]');
  assert.match(await page.textContent('[data-test=topic-hidden-reason]'), /与其他议题重复/);
  assert.equal((await resident(`/topics?community=${code}`)).body.items.some((t) => t.id === topicId), false, 'gone from residents\' list');
  await page.click('[data-test=topic-show]');
  await page.waitForSelector('[data-test=topic-hidden]', { state: 'detached' });
  assert.equal((await resident(`/topics?community=${code}`)).body.items.some((t) => t.id === topicId), true);

  // one step on, with a note kept in the timeline
  assert.equal(await page.textContent('[data-test=topic-state]'), '征集');
  await page.click('[data-test=topic-next]');
  await page.fill('[data-test=topic-next-note]', '意见较集中，进入协商');
  await page.click('[data-test=topic-next-submit]');
  await page.waitForFunction(() => document.querySelector('[data-test=topic-state]')?.textContent.trim() === '协商');
  assert.match(await page.textContent('[data-test=topic-steps]'), /进入「协商」：意见较集中，进入协商/);
  const t = (await staff(`/topics/${topicId}`)).body;
  assert.equal(t.state, 'consulting');
  assert.deepEqual(t.steps.map((s) => s.kind), ['raised', 'hidden', 'shown', 'state']);
  await shot(page, 'votes-topic');
  assert.deepEqual(page.errors, []);
});

test('the meeting booked in the 议事厅 shows its room and its sign-in code', async () => {
  const lift = (await staff(`/topics?community=${COMMUNITY}`)).body.items.find((x) => x.title === '1单元加装电梯');
  const t = (await staff(`/topics/${lift.id}`)).body;
  const m = t.meetings.find((x) => x.room_id);
  assert.ok(m, 'the demo has a meeting with a booked room');
  await page.goto(`${srv.url}/#/votes/topics/${lift.id}`);
  await page.locator('[data-test=topic-meetings] .el-table__row', { hasText: '未发布' }).click();
  await page.waitForSelector('[data-test=meeting-room]');
  assert.match(await page.textContent('[data-test=meeting-room]'), /议事厅/);
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-test=meeting-qr]');
    return img && img.complete && img.naturalWidth === 800;
  });
  const url = await page.inputValue('[data-test=meeting-checkin-url]');
  assert.match(url, new RegExp(`/h5/#/meetings/${m.id}/checkin\\?t=[A-Za-z0-9_-]{32,}$`));
  await shot(page, 'votes-meeting');
});

test('a resident signs in to the meeting with one tap on her phone, in large text', async () => {
  const lift = (await staff(`/topics?community=${COMMUNITY}`)).body.items.find((x) => x.title === '1单元加装电梯');
  const m = (await staff(`/topics/${lift.id}`)).body.meetings.find((x) => x.room_id);
  const url = (await staff(`/meetings/${m.id}`)).body.checkin_url;
  const path = url.slice(url.indexOf('/h5/'));
  const phone = await newPage(browser, { phone: true });
  await phone.goto(srv.url + '/h5/');
  await phone.waitForSelector('input[name=username]');
  await phone.fill('input[name=username]', 'resident');
  await phone.fill('input[name=password]', PASSWORD);
  await phone.click('button[type=submit]');
  await phone.waitForURL(/#\/home/);

  // a wrong token says so and signs nobody in
  await phone.goto(srv.url + path.replace(/t=.*/, 't=wrong'));
  await phone.click('[data-test=meeting-checkin]');
  await phone.waitForSelector('[data-test=meeting-checkin-refused]');
  assert.match(await phone.textContent('[data-test=meeting-checkin-refused]'), /签到码无效/);
  const before = (await staff(`/meetings/${m.id}`)).body.participants;
  assert.equal(before.filter((p) => p.attended).length, 0);

  await phone.goto(srv.url + path);
  await phone.waitForSelector('[data-test=meeting-checkin-card]');
  await phone.waitForFunction(() => /议事厅/.test(document.querySelector('[data-test=meeting-checkin-card]')?.textContent || ''));
  const button = await phone.locator('[data-test=meeting-checkin]').boundingBox();
  assert.ok(button.height >= 56, `a big touch target (${button.height}px)`);
  await phone.click('[data-test=meeting-checkin]');
  await phone.waitForSelector('[data-test=meeting-checked-in]');
  const state = phone.locator('[data-test=meeting-checked-in] .state');
  assert.equal((await state.textContent()).trim(), '签到成功');
  const px = await state.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(px >= 18, `large text (${px}px)`);
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'fits the phone');
  const after = (await staff(`/meetings/${m.id}`)).body.participants;
  const attended = after.filter((p) => p.attended);
  assert.equal(attended.length, 1, 'her resident, and only hers, is marked present');
  const invited = before.some((p) => p.resident_id === attended[0].resident_id);
  // an invited resident is marked on the list; anyone else of the community joins as a walk-in
  assert.equal(attended[0].walk_in, !invited);
  assert.equal(after.length, before.length + (invited ? 0 : 1));
  await shot(phone, 'votes-h5-meeting-checkin');
  assert.deepEqual(phone.errors, []);
  await phone.context().close();
});

let voteId, liftId;

test('a vote\'s live participation moves with a ballot cast elsewhere; a paper ballot recorded here counts', async () => {
  const votes = (await staff('/votes?per_page=50')).body.items;
  const v = votes.find((x) => x.lift_id && x.state === 'open');
  assert.ok(v, 'the demo lift vote is open');
  voteId = v.id;
  liftId = v.lift_id;
  // households of the 单元 whose owner has not voted
  const voted = new Set((await staff(`/votes/${voteId}/list`)).body.items.map((b) => b.voter));
  const homes = (await staff(`/households?building_id=${v.building_id}&unit=${v.unit}`)).body.items;
  const free = [];
  const owners = new Set();
  for (const h of homes) {
    const p = (await staff(`/households/${h.id}/property`)).body;
    if (p.unsold || !p.owner || voted.has(`o:${p.owner.id}`) || owners.has(p.owner.id)) continue;
    owners.add(p.owner.id);
    free.push(h);
  }
  assert.ok(free.length >= 2, `two owners have not voted yet (${free.length})`);

  await menuGo(page, 'menu-votes-list');
  await page.locator('[data-test=votes-table] .el-table__row', { hasText: v.title }).click();
  await page.waitForSelector('[data-test=vote-live]');
  const voters = async () => Number((await page.textContent('[data-test=vote-voters]')).match(/^(\d+)/)[1]);
  const before = v.participation.voters;
  assert.equal(await voters(), before);
  assert.ok(await page.isVisible('[data-test=vote-running]'), 'an open vote shows the running count');

  // a ballot recorded elsewhere: the page follows without a reload
  const up = await staff('/vote-photos', { method: 'POST', body: PNG, headers: { 'Content-Type': 'image/png' } });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const cast = await staff(`/votes/${voteId}/ballots`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ choice: 'yes', channel: 'in_person', household_id: free[0].id, photo_id: up.body.id }),
  });
  assert.equal(cast.status, 201, JSON.stringify(cast.body));
  await page.waitForFunction((n) => document.querySelector('[data-test=vote-voters]')?.textContent.startsWith(String(n)), before + 1);

  // a paper ballot with the signed sheet's photo
  await pick('paper-household', free[1].address);
  await page.locator('[data-test=paper-choice] label', { hasText: '反对' }).click();
  await page.setInputFiles('[data-test=paper-photo]', { name: 'sheet.png', mimeType: 'image/png', buffer: PNG });
  await page.waitForSelector('[data-test=paper-photo-done]');
  const runningNo = (await staff(`/votes/${voteId}`)).body.running.no;
  await page.click('[data-test=paper-submit]');
  await page.waitForFunction((n) => document.querySelector('[data-test=vote-voters]')?.textContent.startsWith(String(n)), before + 2);
  await page.waitForFunction((n) => document.querySelector('[data-test=vote-running]')?.textContent.includes(`反对 ${n}`), runningNo + 1);
  const after = (await staff(`/votes/${voteId}`)).body;
  assert.equal(after.participation.voters, before + 2);
  const mine = (await staff(`/votes/${voteId}/list`)).body.items.find((b) => b.channel === 'paper' && b.unit.endsWith(free[1].room));
  assert.ok(mine, 'the paper ballot is on the list');
  assert.equal(mine.choice, 'no');
  await shot(page, 'votes-vote-live');
  assert.deepEqual(page.errors, []);
});

test('closing the vote shows each condition of the result with ✓ or ✗; the chain verifies', async () => {
  await page.click('[data-test=vote-close]');
  await page.locator('.el-message-box:visible .el-button--primary').click();
  await page.waitForSelector('[data-test=vote-result]');
  const v = (await staff(`/votes/${voteId}`)).body;
  assert.equal(v.state, 'closed');
  const shown = (await page.locator('[data-test=vote-condition]').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
  assert.equal(shown.length, v.result.conditions.length);
  assert.ok(shown.length >= 4, 'quorum and approval by area and by owners');
  v.result.conditions.forEach((c, i) => {
    assert.ok(shown[i].includes(c.text), `${shown[i]} shows ${c.text}`);
    assert.ok(shown[i].startsWith(c.holds ? '✓' : '✗'), shown[i]);
  });
  assert.ok(shown.some((s) => /专有部分面积 [\d.]+\/[\d.]+ [\d.]+% ≥ 2\/3 ✓/.test(s)), shown.join(' | '));
  assert.equal(await page.textContent('[data-test=vote-approved]'), v.result.approved ? '通过' : '未通过');
  assert.equal(await page.isVisible('[data-test=vote-live]'), false, 'no longer live');
  assert.equal(await page.getAttribute('[data-test=export-result-pdf]', 'href'), `/api/v1/votes/${voteId}/export?what=result&format=pdf`);

  await page.click('[data-test=vote-verify]');
  await page.waitForSelector('[data-test=vote-verify-result] .el-alert--success');
  assert.match(await page.textContent('[data-test=vote-verify-result]'), /校验通过/);
  await shot(page, 'votes-vote-result');
});

test('the lift project: an objection registered and every objection resolved by 协调', async () => {
  await menuGo(page, 'menu-votes-lifts');
  await page.waitForSelector('[data-test=lifts-table] .el-table__row');
  await page.locator('[data-test=lifts-table] .el-table__row').first().click();
  await page.waitForSelector('[data-test=objection]');
  assert.equal(Number(page.url().match(/lifts\/(\d+)/)[1]), liftId);
  const before = (await staff(`/lifts/${liftId}`)).body;
  assert.ok(before.open_objections >= 1, 'the demo objection is open');
  assert.ok(before.summary.length > 0, 'the closed vote gives the summary');
  const lines = await page.locator('[data-test=lift-summary-line]').allTextContents();
  assert.deepEqual(lines.map((s) => s.trim()), before.summary);

  await page.click('[data-test=objection-new]');
  await page.fill('[data-test=objection-by]', '201室 张阿姨');
  const home = (await staff(`/households?building_id=${before.building_id}&unit=${before.unit}`)).body.items.find((h) => h.room === '201');
  await pick('objection-household', home.address);
  await page.fill('[data-test=objection-text]', '施工期间噪声太大，希望避开午休时间。');
  await page.click('[data-test=objection-submit]');
  await page.locator('[data-test=objection]', { hasText: '避开午休' }).waitFor();
  assert.equal(Number(await page.textContent('[data-test=lift-open-objections]')), before.open_objections + 1);

  for (let n = before.open_objections + 1; n > 0; n--) {
    await page.locator('[data-test=objection-resolve]').first().click();
    await prompt(`经协调达成一致（第 ${n} 项）：施工避开 12:00–14:00，采光分析已送达。`);
    await page.waitForFunction((k) => document.querySelector('[data-test=lift-open-objections]')?.textContent.trim() === String(k), n - 1);
  }
  assert.equal(await page.locator('[data-test=objection-resolve]').count(), 0);
  assert.equal(await page.locator('[data-test=objection-resolved]').count(), before.objections.length + 1);
  const after = (await staff(`/lifts/${liftId}`)).body;
  assert.equal(after.open_objections, 0);
  assert.ok(after.objections.every((o) => o.resolved && /协调/.test(o.resolution)));
  await shot(page, 'votes-lift');
  assert.deepEqual(page.errors, []);
});
