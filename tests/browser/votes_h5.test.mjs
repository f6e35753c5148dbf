/*
 * 议事 and 表决 on the phone (390×844), issue 16: the demo resident opens the
 * topics near her from the home, supports one (and withdraws with one tap),
 * comments, and raises a topic with a photo from the camera; in 我的表决 she
 * opens the demo 加装电梯 vote, reads its consequences (thresholds, that it
 * binds every owner of the 单元, open ballot, changeable until the close),
 * votes with a confirm sheet, gets her receipt, looks it up, changes her
 * vote (the old receipt then reads as replaced) and objects; a secret poll
 * shows participation only, and its result after the close lists each
 * condition with ✓/✗. axe-core on every page; the 长辈版 keeps 18 px text
 * and 60 px targets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiAs, elderProblems, launchBrowser, phoneAs, shot, startLinli } from './helpers.mjs';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

let srv, browser, dir, resident, staff, liftVote;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'linli-votes-h5-'));
  writeFileSync(join(dir, 'photo.png'), PNG);
  resident = await apiAs(srv.url, 'resident');
  staff = await apiAs(srv.url, 'staff');
  const votes = (await resident('/votes')).body.items;
  liftVote = votes.find((v) => v.lift_id && v.state === 'open');
  assert.ok(liftVote, 'the demo has an open lift vote for the resident');
  assert.deepEqual(liftVote.mine, { may_vote: true, choice: null, receipt: null }, 'the demo leaves it to her');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

/* A phone page signed in as @username, in 长辈版 or not, with axe-core in each document. */
const phone = (username, elder) => phoneAs(browser, srv.url, username, elder, [AXE]);

/* serious or critical axe-core violations, as the elder suite counts them */
async function axe(page, where) {
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} ${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)}`));
  assert.deepEqual(bad, [], `axe-core on ${where}`);
}

const text = (page, sel) => page.locator(sel).first().textContent();

test('the resident opens the topics near her, supports one and withdraws, comments, and raises one with a photo', async () => {
  const page = await phone('resident', false);
  await page.goto(srv.url + '/h5/#/home');
  await page.click('[data-test=topics-link]');
  await page.waitForSelector('[data-test=topic-row]');
  const topics = (await resident('/topics')).body.items;
  const mine = (await resident('/me')).body.household;
  const near = topics.filter((t) => t.scope === 'community' || (t.building_id === mine.building_id && (t.scope === 'building' || t.unit === mine.unit)));
  assert.ok(near.length >= 3, 'the demo has topics of her 单元, her building and the community');
  assert.equal(await page.locator('[data-test=topic-row]').count(), near.length, 'every topic near her');
  /* latest activity first, as the server orders them */
  assert.deepEqual(await page.locator('[data-test=topic-row]').evaluateAll((els) => els.map((e) => Number(e.dataset.id))), near.map((t) => t.id));
  await page.click('[data-test=topics-tab-unit]');
  assert.deepEqual(await page.locator('[data-test=topic-row]').evaluateAll((els) => els.map((e) => Number(e.dataset.id))),
    near.filter((t) => t.scope === 'unit').map((t) => t.id));
  await page.click('[data-test=topics-tab-community]');
  const community = near.filter((t) => t.scope === 'community');
  assert.deepEqual(await page.locator('[data-test=topic-row]').evaluateAll((els) => els.map((e) => Number(e.dataset.id))), community.map((t) => t.id));
  assert.match(await text(page, '[data-test=my-votes-link]'), /1 项等您投票/);
  await axe(page, '/topics');
  await shot(page, 'votes-h5-topics');

  /* support with one tap, withdraw with another */
  const target = community.find((t) => t.state === 'collecting');
  await page.click(`[data-test=topic-row][data-id="${target.id}"]`);
  await page.waitForSelector('[data-test=topic-support]');
  assert.equal(await text(page, '[data-test=topic-title]'), target.title);
  assert.match(await text(page, '[data-test=topic-support]'), new RegExp(`支持 · ${target.supports}`));
  await page.click('[data-test=topic-support]');
  await page.waitForFunction((n) => /已支持 · /.test(document.querySelector('[data-test=topic-support]').textContent) &&
    document.querySelector('[data-test=topic-support]').textContent.includes(`· ${n}`), target.supports + 1);
  assert.equal((await resident(`/topics/${target.id}`)).body.supported, true);
  await page.click('[data-test=topic-support]');
  await page.waitForFunction(() => /^\s*支持 · /.test(document.querySelector('[data-test=topic-support]').textContent));
  assert.equal((await resident(`/topics/${target.id}`)).body.supports, target.supports, 'withdrawn');
  await page.click('[data-test=topic-support]');
  await page.waitForFunction(() => /已支持/.test(document.querySelector('[data-test=topic-support]').textContent));

  /* a comment */
  const comments = await page.locator('[data-test=topic-comment]').count();
  await page.fill('[data-test=comment-text] textarea', '支持，我家孩子也常去，周末可以一起去看看。');
  await page.click('[data-test=comment-send]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=topic-comment]').length === n + 1, comments);
  assert.match(await page.locator('[data-test=topic-comment]').last().textContent(), /我家孩子也常去/);
  assert.ok((await resident(`/topics/${target.id}`)).body.comments.some((c) => /我家孩子也常去/.test(c.text)));
  await axe(page, '/topics/:id');
  await shot(page, 'votes-h5-topic');

  /* the lift topic of her 单元: its steps and the meeting's minutes, and a way to the vote */
  const lift = near.find((t) => t.scope === 'unit');
  await page.goto(`${srv.url}/h5/#/topics/${lift.id}`);
  await page.waitForSelector('[data-test=topic-step]');
  assert.ok(await page.locator('[data-test=topic-step]').count() >= 5, 'raised, states, meeting, minutes');
  assert.match(await text(page, '[data-test=meeting-minutes]'), /井道设在北侧/);
  assert.equal(await page.getAttribute('[data-test=topic-vote-link]', 'href'), `#/votes/${liftVote.id}`);

  /* a new topic of her 单元 with a photo */
  await page.goto(`${srv.url}/h5/#/topics/new`);
  await page.waitForSelector('[data-test=topic-submit]');
  await page.click('[data-test=topic-submit]');
  await page.waitForSelector('.van-field__error-message');
  const before = (await resident('/topics?per_page=200')).body.total;
  assert.equal(before, topics.length, 'nothing sent without a title and text');
  await page.fill('[data-test=topic-title-input] input', '单元门口加装扶手');
  await page.fill('[data-test=topic-body-input] textarea', '单元门口三级台阶没有扶手，下雨天老人进出容易滑倒，建议加装不锈钢扶手。');
  await page.click('[data-test=scope-unit]');
  assert.equal(await page.getAttribute('[data-test=scope-unit]', 'aria-checked'), 'true');
  await page.setInputFiles('[data-test=photo-input]', join(dir, 'photo.png'));
  await page.waitForSelector('[data-test=photo] img');
  await page.waitForFunction(() => !document.querySelector('[data-test=photo] .photo-busy'));
  await axe(page, '/topics/new');
  await shot(page, 'votes-h5-topic-new');
  await page.click('[data-test=topic-submit]');
  await page.waitForFunction(() => /#\/topics\/\d+$/.test(location.hash));
  await page.waitForSelector('[data-test=topic-title]');
  assert.equal(await text(page, '[data-test=topic-title]'), '单元门口加装扶手');
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-test=topic-photo]');
    return img && img.complete && img.naturalWidth > 0;
  });
  const id = Number((await page.evaluate(() => location.hash)).match(/(\d+)$/)[1]);
  const t = (await resident(`/topics/${id}`)).body;
  assert.deepEqual([t.scope, t.building_id, t.unit, t.photos.length], ['unit', mine.building_id, mine.unit, 1]);
  await shot(page, 'votes-h5-topic-raised');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the lift vote: its consequences before voting, a vote with a confirm sheet, the receipt looked up, a change, an objection', async () => {
  const page = await phone('resident', false);
  await page.goto(srv.url + '/h5/#/votes');
  await page.waitForSelector('[data-test=vote-row]');
  const rows = await page.locator('[data-test=vote-row]').evaluateAll((els) => els.map((e) => e.dataset.state));
  assert.equal(rows[0], 'open', 'open votes first');
  assert.ok(rows.indexOf('closed') > rows.lastIndexOf('open'), 'then the closed ones');
  const row = page.locator(`[data-test=vote-row][data-id="${liftVote.id}"]`);
  assert.match(await row.locator('[data-test=vote-mine]').textContent(), /还没有投票/);
  const poll = (await resident('/votes')).body.items.find((v) => v.state === 'closed' && v.mine.choice);
  assert.ok(poll, 'a closed poll she voted in');
  assert.match(await page.locator(`[data-test=vote-row][data-id="${poll.id}"] [data-test=vote-mine]`).textContent(), /我的选择：(同意|反对|弃权)/);
  await axe(page, '/votes');
  await row.click();

  /* what the vote decides, plainly, before the buttons */
  await page.waitForSelector('[data-test=vote-consequences]');
  assert.match(await text(page, '[data-test=conseq-matter]'), /业主共同决定 · 特别事项/);
  assert.match(await text(page, '[data-test=conseq-thresholds]'), /需参与表决面积和人数均达 2\/3，同意需达参与的 3\/4/);
  assert.match(await text(page, '[data-test=conseq-binds]'), /对本单元全体业主都有约束力/);
  assert.match(await text(page, '[data-test=conseq-occupied]'), /占用专有部分的业主/);
  assert.match(await text(page, '[data-test=conseq-secret]'), /^记名表决/);
  assert.match(await text(page, '[data-test=conseq-change]'), /截止前可以改票/);
  assert.match(await text(page, '[data-test=conseq-close]'), /截止时间：\d+月\d+日/);
  const box = await page.locator('[data-test=vote-consequences]').boundingBox();
  const yes = await page.locator('[data-test=choice-yes]').boundingBox();
  assert.ok(box.y + box.height <= yes.y, 'the consequences come before the buttons');
  for (const c of ['yes', 'no', 'abstain']) {
    const b = await page.locator(`[data-test=choice-${c}]`).boundingBox();
    assert.ok(b.height >= 44 && b.width >= 200, `a large ${c} button (${b.width}×${b.height})`);
  }
  /* the live count of an open ballot, and the lift's notice and her household's objection */
  const before = (await resident(`/votes/${liftVote.id}`)).body;
  assert.match(await text(page, '[data-test=vote-participation]'), new RegExp(`已参与 ${before.participation.voters} / ${before.participation.voters_total}`));
  assert.match(await text(page, '[data-test=vote-running]'), new RegExp(`同意 ${before.running.yes}`));
  assert.match(await text(page, '[data-test=lift-notice]'), /表决结束后公示 10 个自然日/);
  assert.equal(await page.locator('[data-test=my-objection]').count(), 1, 'the demo objection of her home');
  assert.equal(await text(page, '[data-test=objection-state]'), '待协调');
  await axe(page, '/votes/:id');
  await shot(page, 'votes-h5-vote');

  /* one tap, a confirm sheet; cancelling sends nothing */
  await page.click('[data-test=choice-yes]');
  await page.waitForSelector('[data-test=confirm-vote]', { state: 'visible' });
  assert.match(await text(page, '.sheet-title'), /确认投“同意”/);
  await shot(page, 'votes-h5-confirm');
  await page.click('[data-test=confirm-cancel]');
  await page.waitForSelector('[data-test=confirm-vote]', { state: 'hidden' });
  assert.equal((await resident(`/votes/${liftVote.id}`)).body.mine.choice, null, 'nothing sent');
  await page.click('[data-test=choice-yes]');
  await page.click('[data-test=confirm-vote]');
  await page.waitForSelector('[data-test=receipt-code]');
  assert.match(await text(page, '[data-test=my-choice]'), /同意/);
  const first = (await resident(`/votes/${liftVote.id}`)).body;
  assert.equal(first.mine.choice, 'yes');
  assert.equal(await text(page, '[data-test=receipt-code]'), first.mine.receipt);
  assert.match(await text(page, '[data-test=ballot-hash]'), /哈希 [0-9a-f]{64}/);
  assert.equal(first.participation.voters, before.participation.voters + 1);
  assert.match(await text(page, '[data-test=vote-participation]'), new RegExp(`已参与 ${first.participation.voters} /`));
  await page.waitForSelector('[data-test=choice-yes][aria-pressed=true]');
  await shot(page, 'votes-h5-voted');

  /* 查验: the receipt's ballot, counted */
  await page.click('[data-test=receipt-check]');
  await page.waitForSelector('[data-test=receipt-result]');
  assert.match(await page.evaluate(() => location.hash), new RegExp(`^#/votes/${liftVote.id}/receipt\\?code=${first.mine.receipt}$`));
  const receipt = (await resident(`/votes/${liftVote.id}/receipts/${first.mine.receipt}`)).body;
  assert.equal(await text(page, '[data-test=receipt-choice]'), '同意');
  assert.equal(await text(page, '[data-test=receipt-seq]'), `第 ${receipt.seq} 张`);
  assert.equal(await text(page, '[data-test=receipt-hash]'), receipt.hash);
  assert.match(await text(page, '[data-test=receipt-counted]'), /已计入/);
  await axe(page, '/votes/:id/receipt');
  await shot(page, 'votes-h5-receipt');
  /* a code that is no one's */
  await page.fill('[data-test=receipt-input] input', 'ZZZZZZZZZZZZ');
  await page.click('[data-test=receipt-lookup]');
  await page.waitForSelector('[data-test=receipt-error]');
  assert.match(await text(page, '[data-test=receipt-error]'), /没有找到/);

  /* a change until the close: the old receipt then reads as replaced */
  await page.goto(`${srv.url}/h5/#/votes/${liftVote.id}`);
  await page.waitForSelector('[data-test=choice-no]');
  assert.match(await text(page, '[data-test=choice-no]'), /改为反对/);
  await page.click('[data-test=choice-no]');
  await page.click('[data-test=confirm-vote]');
  await page.waitForFunction(() => /反对/.test(document.querySelector('[data-test=my-choice]').textContent));
  const second = (await resident(`/votes/${liftVote.id}`)).body;
  assert.equal(second.mine.choice, 'no');
  assert.notEqual(second.mine.receipt, first.mine.receipt);
  assert.equal(second.participation.voters, first.participation.voters, 'a change is no new voter');
  await page.goto(`${srv.url}/h5/#/votes/${liftVote.id}/receipt?code=${first.mine.receipt}`);
  await page.waitForSelector('[data-test=receipt-result]');
  assert.match(await text(page, '[data-test=receipt-counted]'), /已被您之后的改票替代/);

  /* an objection of her household, then two */
  await page.goto(`${srv.url}/h5/#/votes/${liftVote.id}`);
  await page.waitForSelector('[data-test=objection-text]');
  await page.fill('[data-test=objection-text] textarea', '希望施工时间避开午休，并出具噪声检测报告。');
  await page.click('[data-test=objection-submit]');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=my-objection]').length === 2);
  const l = (await resident(`/lifts/${liftVote.lift_id}`)).body;
  assert.ok(l.objections.some((o) => /避开午休/.test(o.text) && !o.resolved));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a secret poll shows participation only while open, and after the close each condition with ✓ or ✗', async () => {
  let r = await staff('/votes', json('POST', {
    kind: 'poll', title: '小区是否增设快递驿站', body: '在南门物业用房设快递驿站，营业到晚上九点。', scope: 'community', per: 'household',
    secret: true, changeable: false, closes_at: new Date(Date.now() + 3 * 86400000).toISOString(),
  }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  const page = await phone('resident', false);
  await page.goto(`${srv.url}/h5/#/votes/${id}`);
  await page.waitForSelector('[data-test=vote-consequences]');
  assert.match(await text(page, '[data-test=conseq-secret]'), /^无记名表决/);
  assert.match(await text(page, '[data-test=conseq-change]'), /投出后不能更改/);
  assert.match(await text(page, '[data-test=conseq-thresholds]'), /同意需超过参与的 1\/2/);
  assert.equal(await page.locator('[data-test=conseq-binds]').count(), 0, 'a poll binds no one');
  await page.click('[data-test=choice-abstain]');
  await page.click('[data-test=confirm-vote]');
  await page.waitForSelector('[data-test=receipt-code]');
  assert.equal(await page.locator('[data-test=vote-running]').count(), 0, 'no running count of a secret vote');
  assert.match(await text(page, '[data-test=vote-secret]'), /不公布票数/);
  assert.match(await text(page, '[data-test=vote-participation]'), /已参与 1 \//);
  assert.equal(await page.locator('[data-test=choice-yes]').count(), 0, 'not changeable: no buttons after voting');
  r = await staff(`/votes/${id}/close`, { method: 'POST' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await page.reload();
  await page.waitForSelector('[data-test=vote-result]');
  const conds = await page.locator('[data-test=result-condition]').allTextContents();
  assert.equal(conds.length, r.body.result.conditions.length);
  r.body.result.conditions.forEach((c, i) => {
    assert.ok(conds[i].startsWith(c.holds ? '✓' : '✗'), conds[i]);
    assert.ok(conds[i].includes(c.text.replace(/\s*[✓✗]$/, '')), `${conds[i]} has ${c.text}`);
  });
  assert.equal(await text(page, '[data-test=result-approved]'), r.body.result.approved ? '通过' : '未通过');
  await axe(page, '/votes/:id closed');
  await shot(page, 'votes-h5-result');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('长辈版: larger text, and the topics, a topic, the vote page and its confirm sheet keep 18 px text and 60 px targets', async () => {
  const page = await phone('resident', true);
  await page.goto(srv.url + '/h5/#/topics');
  await page.waitForSelector('[data-test=topic-row]');
  await page.evaluate(() => document.fonts.ready);
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '20px', '长辈版 root text');
  const title = await page.locator('[data-test=topic-row] .t-title').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(title >= 21, `a topic's title is ${title}px`);
  assert.deepEqual(await elderProblems(page), [], '/topics');
  await axe(page, '/topics 长辈版');
  await page.locator('[data-test=topic-row]').first().click();
  await page.waitForSelector('[data-test=topic-support]');
  assert.deepEqual(await elderProblems(page), [], '/topics/:id');
  await page.goto(`${srv.url}/h5/#/votes/${liftVote.id}`);
  await page.waitForSelector('[data-test=vote-consequences]');
  const conseq = await page.locator('[data-test=conseq-thresholds]').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(conseq >= 20, `the consequences are ${conseq}px`);
  assert.deepEqual(await elderProblems(page), [], '/votes/:id');
  await axe(page, '/votes/:id 长辈版');
  await shot(page, 'votes-h5-vote-elder');
  await page.click('[data-test=choice-abstain]');
  await page.waitForSelector('[data-test=confirm-vote]', { state: 'visible' });
  await page.waitForTimeout(400); /* the sheet's slide-in: measured where it stops */
  assert.deepEqual(await elderProblems(page), [], 'the confirm sheet');
  await shot(page, 'votes-h5-confirm-elder');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
