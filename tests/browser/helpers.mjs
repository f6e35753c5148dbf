/*
 * Shared set-up for the browser tests: a linli server with demo data and the
 * built web pages, and Debian's chromium driven by playwright-core.
 *
 * LINLI_URL=http://127.0.0.1:PORT runs the tests against a server that is
 * already running instead of starting one. Screenshots go to SHOTS_DIR
 * (default /tmp/shots).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS_DIR = process.env.SHOTS_DIR || '/tmp/shots';
export const PASSWORD = 'linli2026';
export const COMMUNITY = '310105004017';
export const DESKTOP = { width: 1366, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function startLinli() {
  if (process.env.LINLI_URL) return { url: process.env.LINLI_URL.replace(/\/$/, ''), stop: async () => {} };
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html')))
    throw new Error('web/dist is missing: run `npm run build` first');
  const { startServer } = await import('../lib/server.mjs');
  return startServer({ demo: true, web: true });
}

/*
 * chromium.launch() gives every browser a fresh temporary profile
 * (user-data-dir) of its own and removes it on close.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/* A page in a context of its own (own storage), sized for a desktop or a phone. */
export async function newPage(browser, { phone = false } = {}) {
  const context = await browser.newContext({
    viewport: phone ? PHONE : DESKTOP,
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  /*
   * Generous: the tests wait for things to appear, never for time to pass, so
   * a long limit costs nothing when the machine is quick and keeps a busy
   * machine (a sanitizer build, other jobs on two cores) from failing them.
   */
  page.setDefaultTimeout(Number(process.env.BROWSER_TIMEOUT_MS) || 45000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  /* what the pages' Content-Security-Policy blocked is an error too */
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export async function shot(page, name) {
  mkdirSync(SHOTS_DIR, { recursive: true });
  /* Let loading masks and entry transitions finish first. */
  await page.waitForSelector('.el-loading-mask', { state: 'detached', timeout: 5000 }).catch(() => {});
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS_DIR, name + '.png') });
}

/* Logs in on the staff console and waits for the dashboard. */
export async function consoleLogin(page, url, username) {
  await page.goto(url + '/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button.login-btn');
  await page.waitForSelector('[data-test=stat-residents]');
}

/* Logs in through the API and returns a fetch helper bound to the token. */
export async function apiAs(url, username) {
  const res = await fetch(url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  return async (path, opts = {}) => {
    const r = await fetch(url + '/api/v1' + path, {
      ...opts,
      headers: { Authorization: 'Bearer ' + token, ...(opts.headers || {}) },
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}

/*
 * Opens a console page from its menu item [data-test=NAME]. The menu keeps
 * only the current page's group open, so an item of another group is opened
 * by its group's title first.
 */
export async function menuGo(page, name) {
  const item = page.locator(`.aside [data-test=${name}]`);
  if (!(await item.isVisible())) {
    /* (a has-locator is looked up inside the group, so without .aside) */
    const group = page.locator('.aside .el-sub-menu', { has: page.locator(`[data-test=${name}]`) });
    await group.locator('.el-sub-menu__title').first().click();
  }
  await item.click();
}

/*
 * A phone page (390×844) signed in as @username as the H5 keeps a session
 * (the cookie and the signed-in hint), in 长辈版 (@elder, the account's
 * preference and its local copy) or not; @init: more scripts for each
 * document (axe-core's source, say).
 */
export async function phoneAs(browser, url, username, elder, init = []) {
  const page = await newPage(browser, { phone: true });
  const json = (method, body, token) => ({
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: JSON.stringify(body),
  });
  const res = await fetch(url + '/api/v1/auth/login', json('POST', { username, password: PASSWORD }));
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  await fetch(url + '/api/v1/account/preferences', json('PUT', { elder_mode: elder }, token));
  await page.context().addCookies([{ name: 'linli_session', value: token, url }]);
  await page.context().addInitScript(([e]) => {
    localStorage.setItem('linli.h5.token', '1');
    if (e) localStorage.setItem('linli.elder', '1');
    else localStorage.removeItem('linli.elder');
  }, [elder]);
  for (const content of init) await page.context().addInitScript({ content });
  return page;
}

/*
 * 长辈版 on the page and its pop-ups: every visible text ≥ 18 px, every
 * control ≥ 60 × 60 px (a field's input by its field, a label's by its
 * label); what breaks the rule, described.
 */
export function elderProblems(page) {
  return page.evaluate(() => {
    const bad = [];
    const name = (el) => `${el.tagName.toLowerCase()}.${String(el.className).trim().replace(/\s+/g, '.')} "${el.textContent.trim().slice(0, 16)}"`;
    for (const el of document.querySelectorAll('#app *, .van-popup *')) {
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      let r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const cs = getComputedStyle(el);
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (text && parseFloat(cs.fontSize) < 18) bad.push(`text ${cs.fontSize}: ${name(el)}`);
      if (!el.matches('button, a[href], input, textarea, [role=radio]')) continue;
      const wrap = el.matches('input, textarea') && el.closest('label, .van-field');
      if (wrap) r = wrap.getBoundingClientRect();
      if (r.width < 60 || r.height < 60) bad.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${name(el)}`);
    }
    return bad;
  });
}
