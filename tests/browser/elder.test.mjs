/*
 * 适老化: every H5 page measured against the MIIT rules for elder-friendly apps
 * (《移动互联网应用（APP）适老化通用设计规范》, 2021) at phone size (390×844),
 * in the standard and the 长辈版 (elder) mode, and with the browser's text at
 * 200 %.
 *
 * The pages are not listed here: the test asks the running H5 app for its
 * router's routes (web/src/h5/router.js), so a page added there is checked
 * without anyone touching this file. A route with a parameter needs a sample
 * path in SAMPLES below; without one the test fails and says so.
 *
 * On each page it measures, in the browser:
 *   font       every visible text at least 18 px (elder) / 12 px (standard)
 *   title      the largest text of the page at least 30 px (elder)
 *   leading    line height at least 1.3 × the font size (elder); paragraphs
 *              spaced further apart than their lines
 *   target     every control (buttons, links, list rows, tabs, form fields,
 *              switches) at least 60 × 60 px (elder) / 44 × 44 px (standard)
 *   name       every control has an accessible name in Chinese (from
 *              chromium's own accessibility tree)
 *   axe        (axe-core) no serious or critical axe-core violation (contrast 4.5 : 1,
 *              3 : 1 for large text; labels; names; ...)
 *   scroll     no horizontal scrolling, of the page or inside it
 *   popup      no dialog, pop-up or toast that appeared without a tap
 * Failure messages name the route, the mode, the rule and the element.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PHONE, apiAs, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';

/*
 * Sample paths for routes with parameters, keyed by route name (or by the
 * route's path when it has no name). Each is an async function of the fixture
 * ({ resident, staff }: API helpers bound to those users, see apiAs) that
 * returns a path to open, creating what it needs through the API.
 */
const SAMPLES = {
  room: async (f) => `/rooms/${await f.roomId()}`,
  checkin: async (f) => `/rooms/${await f.roomId()}/checkin`,
  case: async (f) => `/cases/${await f.caseId()}`,
  kiosk: async (f) => `/kiosk/${await f.doorToken()}`,
  announcement: async (f) => `/announcements/${await f.announcementId()}`,
  'care-visit': async (f) => `/care/visit/${await f.careId()}`,
  'funds-project': async (f) => `/funds/${await f.fundsId()}`,
  topic: async (f) => `/topics/${await f.topicId()}`,
  vote: async (f) => `/votes/${await f.voteId()}`,
  'vote-receipt': async (f) => `/votes/${await f.voteId()}/receipt`,
  'meeting-checkin': async (f) => {
    const m = (await f.staff(`/topics/${await f.topicId()}`)).body.meetings[0];
    const url = (await f.staff(`/meetings/${m.id}`)).body.checkin_url;
    return url.slice(url.indexOf('#') + 1);
  },
  activity: async (f) => `/activities/${await f.activityId()}`,
  'offer-redeem': async (f) => {
    const r = await f.resident('/offers');
    assert.ok(r.body.items.length > 0, 'the demo has offers for the resident');
    return `/offers/redeem/${r.body.items[0].token}`;
  },
  'activity-checkin': async (f) => {
    const id = await f.activityId();
    return `/activities/${id}/checkin?token=${(await f.staff(`/activities/${id}`)).body.sessions[0].token}`;
  },
};

const MODES = {
  standard: { elder: false, textScale: 1, font: 12, target: 44 },
  elder: { elder: true, textScale: 1, font: 18, title: 30, leading: 1.3, target: 60, axe: true },
  /* the browser's (or WeChat's) text size at 200 %: nothing may break */
  'standard, text 200%': { elder: false, textScale: 2, font: 24, target: 44, axe: false },
};
MODES.standard.axe = true;

/* axe-core, put into each document once (injecting it for every check costs seconds) */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let srv;
let browser;
let fixture;
const pages = {}; /* mode -> a logged-in page */

function memo(fn) {
  let p = null;
  return () => (p ??= fn());
}

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  const resident = await apiAs(srv.url, 'resident');
  const staff = await apiAs(srv.url, 'staff');
  const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  fixture = {
    resident,
    staff,
    roomId: memo(async () => {
      const r = await resident('/rooms');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items[0].id;
    }),
    caseId: memo(async () => {
      const me = (await resident('/me')).body;
      const r = await resident('/cases', json('POST', { category: 'other', description: '楼道灯不亮，晚上看不清台阶', building_id: me.household.building_id }));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id;
    }),
    announcementId: memo(async () => {
      const r = await resident('/announcements');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.items.length > 0, 'the demo has announcements for the resident');
      return r.body.items[0].id;
    }),
    /* a person in care (the resident is not paired with her: the page says so) */
    careId: memo(async () => {
      const r = await staff('/care/people?per_page=1');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items[0].care_id;
    }),
    fundsId: memo(async () => {
      const r = await resident('/funds/public');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const closed = r.body.items.find((x) => x.state === 'closed');
      assert.ok(closed, 'the demo has a closed project in the resident\'s 公示');
      return closed.id;
    }),
    /* the demo's topic of the resident's 单元 (photos, steps, a meeting with minutes) */
    topicId: memo(async () => {
      const r = await resident('/topics');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const t = r.body.items.find((x) => x.scope === 'unit');
      assert.ok(t, 'the demo has a topic of the resident\'s 单元');
      return t.id;
    }),
    /* the demo's 加装电梯 vote, open, in which the resident may vote */
    voteId: memo(async () => {
      const r = await resident('/votes');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const v = r.body.items.find((x) => x.lift_id && x.state === 'open');
      assert.ok(v, 'the demo has an open lift vote for the resident');
      return v.id;
    }),
    /* the demo activity she is signed up for, with her family member still free to sign up */
    activityId: memo(async () => {
      const r = await resident('/activities/mine');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const up = r.body.items.find((x) => x.status === 'upcoming' && x.self);
      assert.ok(up, 'the demo resident is signed up for an upcoming activity');
      return up.activity_id;
    }),
    doorToken: memo(async () => {
      const r = await staff(`/rooms/${await fixture.roomId()}/door-link`, { method: 'POST' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.token;
    }),
  };
});

after(async () => {
  for (const p of Object.values(pages)) await p.context().close();
  await browser?.close();
  await srv?.stop();
});

async function login(username) {
  const res = await fetch(srv.url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'linli2026' }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).token;
}

/* The session as the browser keeps it: the cookie, and the app's signed-in hint. */
async function signIn(page, token) {
  await page.context().addCookies([{ name: 'linli_session', value: token, url: srv.url }]);
  await page.context().addInitScript(() => localStorage.setItem('linli.h5.token', '1'));
  if (page.url().startsWith(srv.url)) await page.evaluate(() => localStorage.setItem('linli.h5.token', '1'));
}

/* A phone page logged in as the resident, in one mode. */
async function pageFor(mode) {
  if (pages[mode]) return pages[mode];
  const m = MODES[mode];
  const page = await newPage(browser, { phone: true });
  await signIn(page, await login('resident'));
  /* 长辈版 is the account's choice (the pages apply it at sign-in), the local copy only paints first */
  const pref = await fixture.resident('/account/preferences', {
    method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ elder_mode: m.elder }),
  });
  assert.equal(pref.status, 200, JSON.stringify(pref.body));
  await page.context().addInitScript(([elder]) => {
    if (elder) localStorage.setItem('linli.elder', '1');
    else localStorage.removeItem('linli.elder');
  }, [m.elder]);
  await page.context().addInitScript(countFetches);
  if (m.axe) await page.context().addInitScript({ content: AXE });
  if (m.textScale !== 1) {
    /* what the browser's own text-size setting does: a larger default font */
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Page.enable');
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: 16 * m.textScale, fixed: 13 * m.textScale } });
  }
  pages[mode] = page;
  return page;
}

/* The H5 router's routes, asked of the running app. */
async function h5Routes() {
  const page = await pageFor('standard');
  await page.goto(srv.url + '/h5/#/home');
  await page.waitForSelector('#app > *');
  const routes = await page.evaluate(() => {
    const app = document.querySelector('#app').__vue_app__;
    const router = app && app.config.globalProperties.$router;
    if (!router) return null;
    return router.getRoutes().map((r) => ({ path: r.path, name: r.name ? String(r.name) : '', redirect: !!r.redirect }));
  });
  assert.ok(routes, 'the H5 app exposes no router: is web/src/h5/main.js still app.use(router)?');
  return routes.filter((r) => !r.redirect && !r.path.includes('pathMatch'));
}

/* Counts the page's fetches, so that a test can wait for it to settle. */
function countFetches() {
  let n = 0;
  let last = performance.now();
  const f = window.fetch;
  window.fetch = function (...args) {
    n++;
    last = performance.now();
    return f.apply(this, args).finally(() => {
      n--;
      last = performance.now();
    });
  };
  window.__quietFor = (ms) => n === 0 && performance.now() - last >= ms;
}

/*
 * Opens a path of the H5 app: the first time by loading it, then as a tap on a
 * link would (the router, in the same document), which is much faster. Waits
 * until the route is shown, no fetch is pending (for 150 ms) and no skeleton
 * is left.
 */
async function open(page, path) {
  if (!page.url().startsWith(srv.url + '/h5/')) await page.goto(`${srv.url}/h5/#${path}`);
  else await page.evaluate((p) => { location.hash = p; }, path);
  await page.waitForFunction((p) => {
    const app = document.querySelector('#app').__vue_app__;
    const r = app && app.config.globalProperties.$router;
    return r && r.currentRoute.value.fullPath === p;
  }, path).catch(() => { throw new Error(`${path}: the router never showed it`); });
  await page.waitForFunction(() => window.__quietFor(150) && !document.querySelector('.van-skeleton'), null, { timeout: 15000 })
    .catch(() => { throw new Error(`${path}: still loading (a fetch pending or a .van-skeleton shown) after 15 s`); });
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

/*
 * Runs in the page: the rules that computed styles and boxes can decide.
 * Returns a list of { rule, el, detail }.
 */
function measure(m) {
  const out = [];
  const W = window.innerWidth;

  function describe(el) {
    let s = el.tagName.toLowerCase();
    const dt = el.getAttribute('data-test');
    if (dt) s += `[data-test=${dt}]`;
    else if (el.classList.length) s += '.' + [...el.classList].filter((c) => !c.startsWith('data-v')).slice(0, 3).join('.');
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.getAttribute('placeholder') || '')
      .trim().replace(/\s+/g, ' ').slice(0, 30);
    if (text) s += ` "${text}"`;
    const outer = el.parentElement && el.parentElement.closest('[data-test]');
    if (!dt && outer) s += ` in [data-test=${outer.getAttribute('data-test')}]`;
    return s;
  }
  const visible = (el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) &&
    !el.closest('[aria-hidden=true], [inert]');
  const flag = (rule, el, detail) => out.push({ rule, el: describe(el), detail });

  /* --- text: size, line height; the largest text --- */
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  let largest = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue.trim()) continue;
    const el = n.parentElement;
    if (!el || seen.has(el) || el.closest('script, style, noscript, template')) continue;
    seen.add(el);
    if (!visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const cs = getComputedStyle(el);
    const fs = parseFloat(cs.fontSize);
    largest = Math.max(largest, fs);
    if (fs < m.font - 0.01)
      flag('font', el, `text is ${fs.toFixed(1)}px, needs at least ${m.font}px`);
    if (m.leading && !el.closest('button, [role=button], .van-button, .van-badge, .van-tag, input, textarea, select')) {
      const lh = cs.lineHeight === 'normal' ? NaN : parseFloat(cs.lineHeight);
      if (!(lh / fs >= m.leading - 0.005))
        flag('leading', el, `line height ${cs.lineHeight} for ${fs}px text, needs at least ${m.leading}×`);
    }
  }
  if (m.title && largest < m.title - 0.01)
    flag('title', document.body, `the largest text on the page is ${largest}px; the page title or its main function needs at least ${m.title}px`);

  /* paragraphs: spaced further apart than their lines */
  if (m.leading)
    for (const p of document.querySelectorAll('p + p')) {
      const a = p.previousElementSibling;
      if (!visible(p) || !visible(a)) continue;
      const gap = p.getBoundingClientRect().top - a.getBoundingClientRect().bottom;
      const lh = parseFloat(getComputedStyle(p).lineHeight) || 0;
      const fs = parseFloat(getComputedStyle(p).fontSize);
      if (gap + (lh - fs) <= lh - fs + 0.5)
        flag('paragraph', p, `paragraphs ${gap.toFixed(1)}px apart: the space between paragraphs must be larger than between lines`);
    }

  /* --- controls: touch targets --- */
  const CONTROL = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [role=tab], ' +
    '[role=switch], [role=checkbox], [role=radio], [role=menuitem], [tabindex]:not([tabindex="-1"]), .van-cell--clickable, ' +
    '.van-tabbar-item, .van-tab, .van-switch, .van-field, .van-nav-bar__left, .van-nav-bar__right';
  /* a control inside a larger control or label is tapped through it */
  /* (.tap-row: a row whose whole area toggles the control in it, as 我的 → 长辈版) */
  const WRAP = 'label, a[href], button, [role=button], .van-cell--clickable, .van-field, .van-tabbar-item, .van-tab, .tap-row';
  for (const el of document.querySelectorAll(CONTROL)) {
    if (!visible(el) && !(el.tagName === 'INPUT' && el.closest('label'))) continue;
    if ((el.classList.contains('van-nav-bar__left') || el.classList.contains('van-nav-bar__right')) && !el.children.length && !el.textContent.trim())
      continue;
    let box = el.getBoundingClientRect();
    for (let w = el.parentElement && el.parentElement.closest(WRAP); w; w = w.parentElement && w.parentElement.closest(WRAP)) {
      const b = w.getBoundingClientRect();
      if (b.width * b.height > box.width * box.height) box = b;
    }
    if (el.tagName === 'INPUT' && el.closest('label')) box = el.closest('label').getBoundingClientRect();
    if (box.width < 1 && box.height < 1) continue;
    if (box.width < m.target - 0.5 || box.height < m.target - 0.5)
      flag('target', el, `touch target ${box.width.toFixed(0)}×${box.height.toFixed(0)}px, needs at least ${m.target}×${m.target}px`);
  }

  /* --- no horizontal scrolling (in 长辈版 not even inside the page) --- */
  const sw = document.documentElement.scrollWidth;
  if (sw > W + 1) {
    let widest = null;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > W + 1 && visible(el) && (!widest || r.right > widest.getBoundingClientRect().right)) widest = el;
    }
    flag('scroll', widest || document.documentElement, `the page is ${sw}px wide on a ${W}px screen: it scrolls sideways`);
  }
  if (m.elder) for (const el of document.body.querySelectorAll('*')) {
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1 && visible(el))
      flag('scroll', el, `scrolls sideways inside (${el.scrollWidth}px of content in ${el.clientWidth}px)`);
  }

  /* --- nothing popped up by itself --- */
  for (const el of document.querySelectorAll('.van-popup, .van-dialog, .van-toast, .van-notify, .van-overlay, [role=dialog], [role=alertdialog]'))
    if (visible(el)) flag('popup', el, 'a pop-up is showing that nobody asked for');
  return out;
}

const ROLES = new Set(['button', 'link', 'textbox', 'searchbox', 'combobox', 'checkbox', 'radio', 'switch', 'tab',
  'menuitem', 'slider', 'spinbutton', 'listbox', 'option', 'menuitemcheckbox', 'menuitemradio']);
const HAN = /[\u3400-\u9fff]/;

/* Controls whose accessible name (as chromium computes it) has no Chinese. */
async function unnamed(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const bad = [];
    for (const n of nodes) {
      if (n.ignored || !n.role || !ROLES.has(n.role.value)) continue;
      const name = (n.name && n.name.value) || '';
      if (HAN.test(name)) continue;
      let el = n.role.value;
      if (n.backendDOMNodeId) {
        const { node } = await cdp.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId });
        const attrs = {};
        for (let i = 0; i + 1 < (node.attributes || []).length; i += 2) attrs[node.attributes[i]] = node.attributes[i + 1];
        el = node.localName + (attrs['data-test'] ? `[data-test=${attrs['data-test']}]` : attrs.class ? '.' + attrs.class.trim().split(/\s+/).slice(0, 3).join('.') : '');
      }
      bad.push({ rule: 'name', el, detail: `${n.role.value} named "${name}": every control needs an accessible name in Chinese (text, aria-label or a label)` });
    }
    return bad;
  } finally {
    await cdp.detach();
  }
}

async function axe(page) {
  /* only violations are wanted: axe skips collecting passes (much faster) */
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  }));
  const bad = [];
  for (const v of r.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const node of v.nodes)
      bad.push({ rule: `axe ${v.id}`, el: node.target.join(' '), detail: `${v.impact}: ${(node.failureSummary || v.help).replace(/\s+/g, ' ').slice(0, 200)}` });
  }
  return bad;
}

function report(path, mode, problems) {
  const lines = problems.slice(0, 15).map((p) => `  ${path} [${mode}] ${p.rule}: ${p.el} — ${p.detail}`);
  if (problems.length > 15) lines.push(`  … and ${problems.length - 15} more`);
  return `${path} in ${mode} mode breaks the elder-friendly rules:\n${lines.join('\n')}`;
}

describe('适老化 rules on every H5 page', () => {
  test('every route, in each mode, at 390×844', async (t) => {
    const routes = await h5Routes();
    assert.ok(routes.length >= 10, `only ${routes.length} H5 routes found`);
    const missing = [];
    const paths = [];
    for (const r of routes) {
      if (!r.path.includes(':')) {
        paths.push({ route: r, path: r.path });
        continue;
      }
      const sample = SAMPLES[r.name] || SAMPLES[r.path];
      if (!sample) {
        missing.push(r);
        continue;
      }
      paths.push({ route: r, path: await sample(fixture) });
    }
    for (const r of missing)
      await t.test(`${r.path} has a sample`, () => {
        assert.fail(`the H5 route ${r.path}${r.name ? ` (name "${r.name}")` : ''} has a parameter: add a sample path for it to SAMPLES in tests/browser/elder.test.mjs`);
      });

    /* while working on one page: ELDER_ONLY=/rooms ELDER_MODES=elder node --test ... */
    const only = process.env.ELDER_ONLY ? new RegExp(process.env.ELDER_ONLY) : null;
    const modes = process.env.ELDER_MODES ? process.env.ELDER_MODES.split(',') : Object.keys(MODES);
    for (const mode of modes) {
      const m = MODES[mode];
      const page = await pageFor(mode);
      for (const { route, path } of paths) {
        if (only && !only.test(path)) continue;
        await t.test(`${mode}: ${path}`, async () => {
          page.errors = [];
          const t0 = Date.now();
          await open(page, path);
          const t1 = Date.now();
          const hash = await page.evaluate(() => location.hash.slice(1).split('?')[0]);
          assert.equal(hash, path.split('?')[0], `${route.path} [${mode}]: opening ${path} ended on ${hash}`);
          const problems = await page.evaluate(measure, m);
          const t2 = Date.now();
          if (m.axe) {
            problems.push(...(await unnamed(page)));
            const t3 = Date.now();
            problems.push(...(await axe(page)));
            if (process.env.ELDER_DEBUG) console.error(`${mode} ${path}: open ${t1 - t0} measure ${t2 - t1} names ${t3 - t2} axe ${Date.now() - t3} ms`);
          }
          if (problems.length) await shot(page, `elder-fail-${mode.replace(/\W+/g, '_')}-${route.name || 'route'}`);
          assert.ok(problems.length === 0, report(route.path, mode, problems));
          assert.deepEqual(page.errors, [], `${route.path} [${mode}]: errors in the page`);
        });
      }
    }
  });

  test('a clear entry to 长辈版 on the first screen and in 我的; the 长辈版 home is big tiles only', async () => {
    const page = await newPage(browser, { phone: true });
    const firstScreen = (sel) => page.$$eval(sel, (els) => els.some((el) => {
      const r = el.getBoundingClientRect();
      return el.checkVisibility() && /长辈版/.test(el.textContent + (el.getAttribute('aria-label') || '')) && r.top >= 0 && r.bottom <= innerHeight;
    }));
    await page.goto(srv.url + '/h5/');
    await page.waitForSelector('[data-test=elder-toggle]');
    assert.ok(await firstScreen('button'), '/login: no 长辈版 button on the first screen');
    await signIn(page, await login('resident'));
    await page.goto(srv.url + '/h5/#/home');
    await page.waitForSelector('[data-test=household-address]');
    assert.ok(await firstScreen('button'), '/home: no 长辈版 button on the first screen');
    await page.goto(srv.url + '/h5/#/mine');
    await page.waitForSelector('[data-test=elder-switch]');
    assert.match(await page.textContent('[data-test=elder-cell]'), /长辈版/);
    await page.click('[data-test=elder-cell]');
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')), 'tapping the 长辈版 row turns it on');

    await page.goto(srv.url + '/h5/#/home');
    await page.waitForSelector('[data-test=elder-tiles]');
    await page.evaluate(() => document.fonts.ready);
    const tiles = await page.$$eval('[data-test=elder-tiles] > *', (els) => els.map((el) => {
      const r = el.getBoundingClientRect();
      return { text: el.textContent.trim(), w: r.width, h: r.height, bottom: r.bottom, font: parseFloat(getComputedStyle(el).fontSize) };
    }));
    assert.ok(tiles.length >= 4 && tiles.length <= 6, `${tiles.length} tiles`);
    for (const want of ['问助手', '我要报事', '我的预约', '通知'])
      assert.ok(tiles.some((t) => t.text.startsWith(want)), `no ${want} tile`);
    for (const t of tiles) {
      assert.ok(t.w >= 120 && t.h >= 120, `tile ${t.text} is ${t.w}×${t.h}px`);
      assert.ok(t.font >= 30, `tile ${t.text} in ${t.font}px`);
    }
    /* nothing else above the fold: what follows the tiles starts below the visible area */
    const fold = await page.evaluate(() => innerHeight - document.querySelector('.van-tabbar').getBoundingClientRect().height);
    const next = await page.evaluate(() => document.querySelector('[data-test=elder-tiles]').nextElementSibling.getBoundingClientRect().top);
    assert.ok(next >= fold - 1, `content after the tiles starts at ${next}px, above the fold at ${fold}px`);
    await shot(page, 'h5-home-elder-tiles');
    await page.click('[data-test=tile-report]');
    await page.waitForURL(/#\/cases\/new$/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
