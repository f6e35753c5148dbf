/*
 * 适老化 beyond the rules (issue 21), in the resident H5 at 390×844:
 *   朗读      every announcement, notice and assistant answer has a 朗读
 *             button (60 px in 长辈版); with a Chinese browser voice it
 *             speaks itself, without one (headless chromium has none) it
 *             plays the server's audio
 *   说话      the assistant and the report form say the keyboard's microphone
 *             works; a 说话 button only where the Web Speech API exists
 *   报事      in 长辈版 the report is four steps, nothing lost going back
 *   长辈版    a choice of the account: set on one phone, on at sign-in on another
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, apiAs, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';

let srv;
let browser;
let resident;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  resident = await apiAs(srv.url, 'resident');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function login(username) {
  const res = await fetch(srv.url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).token;
}

/* A phone page signed in (the session cookie) as @username, in 长辈版 or not (the account's choice). */
async function phone(username, { elder = false, init = null } = {}) {
  const token = await login(username);
  const put = await fetch(srv.url + '/api/v1/account/preferences', {
    method: 'PUT',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ elder_mode: elder }),
  });
  assert.equal(put.status, 200);
  const page = await newPage(browser, { phone: true });
  await page.context().addCookies([{ name: 'linli_session', value: token, url: srv.url }]);
  await page.context().addInitScript(() => localStorage.setItem('linli.h5.token', '1'));
  if (init) await page.context().addInitScript(init);
  return page;
}

const box = (loc) => loc.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { w: r.width, h: r.height };
});

/* No Chinese voice here (headless chromium has none at all): make sure of it, whatever the machine. */
function noVoices() {
  if (window.speechSynthesis) window.speechSynthesis.getVoices = () => [];
}

/* A browser with a Chinese voice: speechSynthesis that records what it was asked to say. */
function fakeZhVoice() {
  const voice = { name: '普通话', lang: 'zh-CN', default: true, localService: true, voiceURI: 'zh' };
  window.__spoken = [];
  const synth = {
    getVoices: () => [voice],
    speak(u) {
      window.__spoken.push(u.text);
      window.__utterance = u;
    },
    cancel() {
      window.__cancelled = (window.__cancelled || 0) + 1;
    },
    addEventListener() {},
    removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = function (text) {
    this.text = text;
  };
}

/* A browser with the Web Speech API (chromium has one that needs Google's servers): recognition that "hears" a fixed sentence. */
function fakeRecognition() {
  window.SpeechRecognition = window.webkitSpeechRecognition = class {
    start() {
      window.__recognitionLang = this.lang;
      setTimeout(() => {
        this.onresult?.({ results: [[{ transcript: '楼道里的灯坏了' }]] });
        this.onend?.();
      }, 50);
    }
    stop() { this.onend?.(); }
    abort() { this.onend?.(); }
  };
}

describe('朗读 (read aloud)', () => {
  test('an announcement without a browser voice: the server audio plays, the button turns to 停止', async () => {
    const anns = (await resident('/announcements')).body.items;
    const page = await phone('resident', { elder: true, init: noVoices });
    const audio = [];
    page.on('response', (r) => { if (/\/audio(\?|$)/.test(r.url())) audio.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] }); });
    await page.goto(`${srv.url}/h5/#/announcements/${anns[0].id}`);
    const btn = page.getByRole('button', { name: '朗读', exact: true });
    await btn.waitFor();
    const b = await box(btn);
    assert.ok(b.w >= 60 && b.h >= 60, `朗读 is ${b.w}×${b.h}px in 长辈版`);
    await shot(page, 'elder-read-aloud-idle');
    await btn.click();
    await page.waitForFunction(() => document.querySelector('[data-test=read-aloud]').dataset.state === 'playing');
    assert.equal(await page.textContent('[data-test=read-aloud]').then((t) => t.trim()), '停止');
    assert.equal(await page.getAttribute('[data-test=read-aloud]', 'aria-pressed'), 'true');
    assert.equal(audio.length, 1, JSON.stringify(audio));
    assert.match(audio[0].url, new RegExp(`/api/v1/announcements/${anns[0].id}/audio$`));
    assert.equal(audio[0].status, 200);
    assert.equal(audio[0].type, 'audio/ogg');
    await shot(page, 'elder-read-aloud-playing');
    await page.click('[data-test=read-aloud]');
    await page.waitForFunction(() => document.querySelector('[data-test=read-aloud]').dataset.state === 'idle');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('with a Chinese browser voice it speaks the text itself and fetches no audio', async () => {
    const anns = (await resident('/announcements')).body.items;
    const page = await phone('resident', { init: fakeZhVoice });
    let fetched = 0;
    page.on('request', (r) => { if (/\/audio(\?|$)/.test(r.url())) fetched++; });
    await page.goto(`${srv.url}/h5/#/announcements/${anns[0].id}`);
    const btn = page.getByRole('button', { name: '朗读', exact: true });
    await btn.waitFor();
    const b = await box(btn);
    assert.ok(b.w >= 44 && b.h >= 44, `朗读 is ${b.w}×${b.h}px`);
    await btn.click();
    await page.waitForFunction(() => document.querySelector('[data-test=read-aloud]').dataset.state === 'playing');
    const spoken = await page.evaluate(() => window.__spoken);
    assert.equal(spoken.length, 1);
    assert.ok(spoken[0].startsWith(anns[0].title), spoken[0]);
    assert.equal(await page.evaluate(() => window.__utterance.lang), 'zh-CN');
    /* the voice finishes: the button is 朗读 again */
    await page.evaluate(() => window.__utterance.onend());
    await page.waitForFunction(() => document.querySelector('[data-test=read-aloud]').dataset.state === 'idle');
    assert.equal(fetched, 0);
    await page.context().close();
  });

  test('each notice and each assistant answer has its 朗读 button, reading from its own audio', async () => {
    const page = await phone('resident', { elder: true, init: noVoices });
    const urls = [];
    page.on('request', (r) => { if (/\/audio(\?|$)/.test(r.url())) urls.push(r.url()); });
    await page.goto(`${srv.url}/h5/#/notices`);
    await page.waitForSelector('[data-test=notice]');
    const n = await page.locator('[data-test=notice]').count();
    assert.equal(await page.getByRole('button', { name: '朗读', exact: true }).count(), n, 'one 朗读 per notice');
    const id = await page.getAttribute('[data-test=notice] >> nth=0', 'data-id');
    await page.getByRole('button', { name: '朗读', exact: true }).first().click();
    await page.waitForFunction(() => document.querySelector('[data-test=read-aloud]').dataset.state === 'playing');
    assert.match(urls.at(-1), new RegExp(`/api/v1/notices/${id}/audio$`));
    /* reading is not opening: still on the list */
    assert.match(page.url(), /#\/notices$/);
    await shot(page, 'elder-notices-read-aloud');

    await page.goto(`${srv.url}/h5/#/assistant`);
    await page.fill('[data-test=question-input]', '低保怎么申请');
    await page.click('[data-test=send]');
    await page.waitForSelector('[data-test=answer]');
    const answer = page.locator('[data-test=answer]').last();
    const btn = answer.getByRole('button', { name: '朗读', exact: true });
    const b = await box(btn);
    assert.ok(b.w >= 60 && b.h >= 60, `朗读 is ${b.w}×${b.h}px in 长辈版`);
    await btn.click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-test=answer] [data-test=read-aloud]')].at(-1).dataset.state === 'playing');
    assert.match(urls.at(-1), /\/api\/v1\/assistant\/answers\/[^/]+\/audio$/);
    await shot(page, 'elder-assistant-read-aloud');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('说话 (speak instead of type)', () => {
  test('without the Web Speech API: the hint says to use the keyboard microphone, no 说话 button', async () => {
    const page = await phone('resident', { init: () => { delete window.webkitSpeechRecognition; delete window.SpeechRecognition; } });
    await page.goto(`${srv.url}/h5/#/assistant`);
    await page.waitForSelector('[data-test=question-input]');
    const label = await page.evaluate(() => document.querySelector('[data-test=question-input]').labels[0].textContent);
    assert.match(label, /键盘上的话筒说话/);
    assert.ok(await page.locator('.composer-hint').isVisible());
    assert.equal(await page.locator('[data-test=speak]').count(), 0, 'no dead 说话 button');
    await page.goto(`${srv.url}/h5/#/cases/new`);
    await page.waitForSelector('[data-test=description]');
    assert.match(await page.textContent('[data-test=mic-hint]'), /键盘上的话筒说话/);
    assert.equal(await page.locator('[data-test=speak]').count(), 0);
    await page.context().close();
  });

  test('with it: 说话 fills the assistant box and the report description', async () => {
    const page = await phone('resident', { elder: true, init: fakeRecognition });
    await page.goto(`${srv.url}/h5/#/assistant`);
    const speak = page.getByRole('button', { name: '说话', exact: true });
    await speak.waitFor();
    const b = await box(speak);
    assert.ok(b.w >= 60 && b.h >= 60, `说话 is ${b.w}×${b.h}px in 长辈版`);
    await speak.click();
    await page.waitForFunction(() => document.querySelector('[data-test=question-input]')?.value === '楼道里的灯坏了');
    assert.equal(await page.evaluate(() => window.__recognitionLang), 'zh-CN');
    await shot(page, 'elder-assistant-speak');
    await page.goto(`${srv.url}/h5/#/cases/new`);
    /* the report page itself, not the assistant's 说话 still on screen while the route changes */
    await page.waitForSelector('[data-test=description] textarea');
    await page.getByRole('button', { name: '说话', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-test=description] textarea')?.value === '楼道里的灯坏了');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('报事 in 长辈版: one question a screen', () => {
  test('什么事 → 在哪里 → 拍照 → 确认并发送, back keeps every answer, the case is created', async () => {
    const me = (await resident('/me')).body;
    const before = (await resident('/cases?mine=1')).body;
    const page = await phone('resident', { elder: true });
    await page.goto(`${srv.url}/h5/#/cases/new`);
    await page.waitForSelector('[data-test=step-progress]');
    const progress = async () => (await page.textContent('[data-test=step-progress] .step-count')).trim();
    const title = async () => (await page.textContent('[data-test=step-title]')).trim();
    assert.equal(await progress(), '第1步，共4步');
    assert.equal(await title(), '什么事');
    /* one question: the place and the photo are not on this screen */
    assert.equal(await page.locator('[data-test=place-choices]').isVisible(), false);
    assert.equal(await page.locator('[data-test=photos]').isVisible(), false);
    await shot(page, 'elder-report-step1');
    /* 下一步 without a choice says what to do, in words */
    await page.click('[data-test=step-next]');
    assert.match(await page.textContent('.err'), /请点一下是哪一类问题/);
    const chips = page.locator('[data-test=categories] .chip');
    for (const c of await chips.all()) {
      const b = await box(c);
      assert.ok(b.w >= 60 && b.h >= 60, `category ${await c.textContent()} is ${b.w}×${b.h}px`);
    }
    const code = await chips.first().getAttribute('data-code');
    const catName = (await chips.first().textContent()).trim();
    await chips.first().click();
    await page.fill('[data-test=description] textarea', '门口灯不亮');
    await page.click('[data-test=step-next]');

    assert.equal(await progress(), '第2步，共4步');
    assert.equal(await title(), '在哪里');
    await page.click('[data-test=step-next]');
    assert.match(await page.textContent('[data-test=where-error]'), /请点一下问题在哪里/);
    await page.click('[data-test=place-home]');
    await page.fill('[data-test=address]', '3单元门口');
    await shot(page, 'elder-report-step2');
    /* back to step 1: everything still there */
    await page.click('[data-test=step-back]');
    assert.equal(await progress(), '第1步，共4步');
    assert.equal(await page.getAttribute('[data-test=categories] .chip.on', 'data-code'), code);
    assert.equal(await page.inputValue('[data-test=description] textarea'), '门口灯不亮');
    await page.click('[data-test=step-next]');
    assert.equal(await page.getAttribute('[data-test=place-home]', 'aria-pressed'), 'true');
    assert.equal(await page.inputValue('[data-test=address]'), '3单元门口');
    await page.click('[data-test=step-next]');

    assert.equal(await progress(), '第3步，共4步');
    assert.equal(await title(), '拍照');
    assert.ok(await page.locator('[data-test=photos]').isVisible());
    await shot(page, 'elder-report-step3');
    await page.click('[data-test=step-next]'); /* skipped: the photo is optional */

    assert.equal(await progress(), '第4步，共4步');
    assert.equal(await title(), '确认并发送');
    assert.match(await page.textContent('[data-test=summary-what]'), new RegExp(`${catName}：门口灯不亮`));
    const building = (await resident('/case-buildings')).body.items.find((b) => b.id === me.household.building_id);
    assert.match(await page.textContent('[data-test=summary-where]'), new RegExp(building.name));
    assert.match(await page.textContent('[data-test=summary-where]'), /3单元门口/);
    for (const sel of ['[data-test=step-back]', '[data-test=submit]']) {
      const b = await box(page.locator(sel));
      assert.ok(b.w >= 60 && b.h >= 60, `${sel} is ${b.w}×${b.h}px`);
    }
    await shot(page, 'elder-report-step4');
    await page.click('[data-test=submit]');
    await page.waitForSelector('.van-dialog');
    await page.click('.van-dialog__confirm');
    await page.waitForURL(/#\/cases\/\d+$/);
    const id = Number(page.url().match(/cases\/(\d+)$/)[1]);
    const c = (await resident(`/cases/${id}`)).body;
    assert.equal(c.category, code);
    assert.equal(c.description, '门口灯不亮');
    assert.equal(c.building_id, me.household.building_id);
    if (me.household.unit) assert.equal(c.unit, me.household.unit);
    assert.match(JSON.stringify(c), /3单元门口/);
    const after = (await resident('/cases?mine=1')).body;
    assert.equal(after.total, before.total + 1);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the standard mode keeps its one-page form', async () => {
    const page = await phone('resident');
    await page.goto(`${srv.url}/h5/#/cases/new`);
    await page.waitForSelector('[data-test=categories]');
    assert.equal(await page.locator('[data-test=step-progress]').count(), 0);
    for (const sel of ['[data-test=categories]', '[data-test=description]', '[data-test=where-building]', '[data-test=photos]', '[data-test=submit]'])
      assert.ok(await page.locator(sel).isVisible(), `${sel} on the one page`);
    await page.context().close();
  });
});

describe('长辈版 remembered per account', () => {
  async function formLogin(page) {
    await page.goto(srv.url + '/h5/');
    await page.waitForSelector('input[name=username]');
    await page.fill('input[name=username]', 'grid');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/home/);
  }
  const isElder = (page) => page.evaluate(() => document.documentElement.classList.contains('elder'));

  test('set on one phone, on at sign-in on another; off again follows too', async () => {
    const grid = await apiAs(srv.url, 'grid');
    assert.equal((await grid('/account/preferences')).body.elder_mode, null, 'not chosen yet');
    const a = await newPage(browser, { phone: true });
    await formLogin(a);
    assert.equal(await isElder(a), false);
    await a.goto(srv.url + '/h5/#/mine');
    await a.click('[data-test=elder-cell]');
    assert.equal(await isElder(a), true);
    await a.waitForFunction(async () => (await (await fetch('/api/v1/account/preferences')).json()).elder_mode === true);

    /* another phone: a fresh context, nothing in its storage */
    const b = await newPage(browser, { phone: true });
    await formLogin(b);
    await b.waitForSelector('[data-test=elder-tiles]');
    assert.equal(await isElder(b), true);
    await shot(b, 'elder-preference-other-phone');
    /* and off from there reaches the account */
    await b.goto(srv.url + '/h5/#/mine');
    await b.click('[data-test=elder-cell]');
    assert.equal(await isElder(b), false);
    await b.waitForFunction(async () => (await (await fetch('/api/v1/account/preferences')).json()).elder_mode === false);
    /* the first phone, reloaded, follows the account */
    await a.goto(srv.url + '/h5/#/home');
    await a.reload();
    await a.waitForSelector('[data-test=household-card], [data-test=grid-link]');
    assert.equal(await isElder(a), false);
    assert.deepEqual([...a.errors, ...b.errors], []);
    await a.context().close();
    await b.context().close();
  });

  test('a visitor: 长辈版 on the sign-in page stays on this phone and goes into the account at sign-in', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(srv.url + '/h5/');
    await page.click('[data-test=elder-toggle]');
    assert.equal(await page.evaluate(() => localStorage.getItem('linli.elder')), '1');
    await page.reload();
    assert.equal(await isElder(page), true, 'kept for the visitor');
    await page.fill('input[name=username]', 'grid');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/home/);
    assert.equal(await isElder(page), true);
    const grid = await apiAs(srv.url, 'grid');
    for (let i = 0; i < 50 && !(await grid('/account/preferences')).body.elder_mode; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await grid('/account/preferences')).body.elder_mode, true);
    await page.context().close();
  });
});
