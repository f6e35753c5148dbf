/* The staff console (/) driven in chromium at desktop size; its notice bell, whose notices open console pages. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMUNITY, PASSWORD, apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';
import { linli } from '../lib/server.mjs';

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

async function statValue(page, key) {
  const text = await page.textContent(`[data-test=stat-${key}] .stat-value`);
  return Number(text.replace(/[^\d]/g, ''));
}

async function residentRows(page) {
  await page.waitForSelector('[data-test=resident-table] .el-loading-mask', { state: 'detached' }).catch(() => {});
  return page.$$eval('[data-test=resident-table] .el-table__body-wrapper tbody tr', (rows) =>
    rows.map((r) => r.querySelector('td').textContent.trim()),
  );
}

describe('staff console', () => {
  test('wrong password shows the server message', async () => {
    const page = await newPage(browser);
    await page.goto(srv.url + '/');
    await page.fill('input[name=username]', 'staff');
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button.login-btn');
    const msg = await page.textContent('[data-test=login-error]');
    assert.match(msg, /[\u4e00-\u9fff]/, 'the error is in Chinese');
    await shot(page, 'console-login-error');
    await page.context().close();
  });

  test('staff logs in and sees the dashboard numbers', async () => {
    const api = await apiAs(srv.url, 'staff');
    const stats = (await api('/stats/community/' + COMMUNITY)).body;
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-test=stat-residents] .stat-value');
      return el && /\d/.test(el.textContent);
    });
    assert.equal(await statValue(page, 'buildings'), stats.buildings);
    assert.equal(await statValue(page, 'households'), stats.households);
    assert.equal(await statValue(page, 'residents'), stats.residents);
    assert.ok(stats.residents > 0, 'demo data has residents');
    await page.waitForSelector('[data-test=chart-tags] canvas');
    await page.waitForSelector('[data-test=chart-age] canvas');
    assert.match(await page.textContent('[data-test=user-role]'), /社区工作者/);
    await page.waitForTimeout(600); /* let the chart animations finish */
    await shot(page, 'console-dashboard');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('on a 1366×768 screen every menu item of every role is in view, groups collapse, and a role sees only what it may use', async () => {
    /* what each role may open (the server's role checks); items of closed groups count too */
    const expected = {
      secretary: { has: ['工作台', '楼栋', '居民', '导入导出', '预约审批', '使用统计', '类别、单位与派单', '知识库', '审计日志'], not: [] },
      staff: { has: ['工作台', '居民', '导入导出', '预约审批', '知识库'], not: ['审计日志'] },
      grid: { has: ['工作台', '楼栋', '居民', '预约日历', '案件办理', '案件统计'], not: ['导入导出', '预约审批', '使用统计', '类别、单位与派单', '知识库', '审计日志'] },
      street: { has: ['工作台', '使用统计', '案件统计', '知识库', '审计日志'], not: ['导入导出', '预约审批', '类别、单位与派单'] },
    };
    for (const [user, want] of Object.entries(expected)) {
      const page = await newPage(browser);
      await page.setViewportSize({ width: 1366, height: 768 });
      await consoleLogin(page, srv.url, user);
      const logo = await page.locator('.aside .logo').boundingBox();
      assert.ok(logo.y >= 0 && logo.height >= 56, `${user}: the brand keeps its height (${logo.height})`);
      /* every visible item and group title ends above the bottom of the screen, without scrolling */
      const boxes = await page.$$eval('.aside .el-menu-item, .aside .el-sub-menu__title', (els) =>
        els.filter((el) => el.offsetParent !== null).map((el) => [el.textContent.trim(), el.getBoundingClientRect().bottom]));
      for (const [text, bottom] of boxes) assert.ok(bottom <= 768, `${user}: "${text}" ends at ${bottom}, below the fold`);
      assert.equal(await page.$eval('.aside', (el) => el.scrollHeight <= el.clientHeight + 1), true, `${user}: the side bar does not scroll`);
      /* on the dashboard no group is open; a page of a group opens that group only */
      assert.equal(await page.locator('.aside .el-sub-menu.is-opened').count(), 0, `${user}: groups start closed`);
      const all = (await page.$$eval('.aside .el-menu-item', (els) => els.map((el) => el.textContent.trim())));
      for (const t of want.has) assert.ok(all.includes(t), `${user} has ${t}: ${all}`);
      for (const t of want.not) assert.ok(!all.includes(t), `${user} has no ${t}: ${all}`);
      if (user === 'secretary') {
        await menuGo(page, 'menu-case-dashboard');
        await page.waitForURL(/#\/case-dashboard/);
        await menuGo(page, 'menu-kb');
        await page.waitForURL(/#\/assistant\/kb/);
        await page.waitForFunction(() => document.querySelectorAll('.aside .el-sub-menu.is-opened').length === 1);
        assert.match(await page.textContent('.aside .el-sub-menu.is-opened .el-sub-menu__title'), /社区助手/);
        await shot(page, 'console-menu-768');
        /* the long 居民自治 group: each of its pages keeps it open, its item active and in view */
        for (const name of ['menu-votes-topics', 'menu-votes-list', 'menu-votes-lifts', 'menu-activities', 'menu-points', 'menu-merchants', 'menu-volunteers', 'menu-funds']) {
          await menuGo(page, name);
          const item = page.locator(`.aside [data-test=${name}]`);
          await page.waitForFunction((n) => document.querySelector(`.aside [data-test=${n}]`)?.classList.contains('is-active'), name);
          await page.waitForFunction(() => document.querySelectorAll('.aside .el-sub-menu.is-opened').length === 1);
          assert.match(await page.textContent('.aside .el-sub-menu.is-opened .el-sub-menu__title'), /居民自治/, name);
          await page.waitForFunction((n) => {
            const r = document.querySelector(`.aside [data-test=${n}]`).getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight;
          }, name);
          assert.ok(await item.isVisible(), name);
        }
      }
      await page.context().close();
    }
  });

  test('search residents by pinyin initials and by name', async () => {
    const { target, initials } = await findPinyinTarget(await apiAs(srv.url, 'staff'));

    const api = await apiAs(srv.url, 'staff');
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.click('.el-menu >> text="居民"');
    await page.waitForSelector('[data-test=resident-table] .el-table__row');
    /* The search box is found by its placeholder, which is part of the spec. */
    const box = page.getByPlaceholder('姓名 / 拼音首字母 / 手机后四位 / 身份证号', { exact: true });

    for (const q of [target.name, initials]) {
      const expected = (await api(`/residents?community=${COMMUNITY}&q=${encodeURIComponent(q)}&page=1&per_page=20`)).body;
      await box.fill(q);
      const answered = page.waitForResponse((r) => r.url().includes('/api/v1/residents?') && new URL(r.url()).searchParams.get('q') === q);
      await box.press('Enter');
      await answered;
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-test=resident-table] tbody tr').length === n,
        expected.items.length,
      );
      const names = await residentRows(page);
      assert.deepEqual(names, expected.items.map((r) => r.name), `rows for "${q}"`);
      assert.ok(names.includes(target.name), `"${q}" finds ${target.name}`);
      assert.match(decodeURIComponent(page.url()), new RegExp('q=' + q));
    }
    await shot(page, 'console-residents-pinyin');

    /* The detail drawer opens from a row. */
    await page.locator('[data-test=resident-table] tbody tr', { hasText: target.name }).first().click();
    await page.waitForSelector('[data-test=resident-drawer] [data-test=id-number]');
    assert.match(await page.textContent('[data-test=resident-drawer] [data-test=id-number]'), /\*/);
    await page.click('[data-test=reveal]');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-test=resident-drawer] [data-test=id-number]');
      return el && /^\d{17}[\dX]$/.test(el.textContent.trim());
    });
    await shot(page, 'console-resident-drawer');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('search by the last four phone digits, and by a building name typed into the box', async () => {
    const api = await apiAs(srv.url, 'staff');
    const withPhone = (await api(`/residents?community=${COMMUNITY}&per_page=50`)).body.items.find((r) => r.phone);
    const last4 = withPhone.phone.slice(-4);
    const byPhone = (await api(`/residents?community=${COMMUNITY}&q=${last4}&per_page=20`)).body;
    const building = (await api(`/buildings?community=${COMMUNITY}&per_page=200`)).body.items.at(-1);
    const inBuilding = (await api(`/residents?community=${COMMUNITY}&building_id=${building.id}&per_page=20`)).body;

    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.click('.el-menu >> text="居民"');
    await page.waitForSelector('[data-test=resident-table] .el-table__row');
    const box = page.locator('[data-test=resident-search]');
    /* the whole hint shows: the input is as wide as its placeholder */
    const [textWidth, room] = await box.evaluate((el) => {
      const cs = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = cs.font;
      return [ctx.measureText(el.placeholder).width, el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)];
    });
    assert.ok(textWidth <= room, `the placeholder (${textWidth} px) is not cut off (${room} px)`);

    await box.fill(last4);
    await box.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=resident-table] tbody tr').length === n, byPhone.items.length);
    assert.deepEqual(await residentRows(page), byPhone.items.map((r) => r.name));
    assert.ok(byPhone.items.some((r) => r.id === withPhone.id));

    await box.fill(building.name);
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/residents?') && new URL(r.url()).searchParams.get('building_id') === String(building.id));
    await box.press('Enter');
    await answered;
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=resident-table] tbody tr').length === n, inBuilding.items.length);
    assert.deepEqual(await residentRows(page), inBuilding.items.map((r) => r.name));
    assert.ok(inBuilding.items.length > 0);
    assert.equal(await box.inputValue(), '', 'the name moved from the box to the building filter');
    assert.match(await page.textContent('[data-test=building-filter]'), new RegExp(building.name));
    await shot(page, 'console-residents-building');
    await page.context().close();
  });

  test('the 居民 table fits 1366 px with 姓名 pinned; 迁出 is in the drawer, not on the rows', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'secretary');
    await page.click('.el-menu >> text="居民"');
    await page.waitForSelector('[data-test=resident-table] .el-table__row');
    /* column widths are set in pixels, so this holds whatever the font */
    const [scroll, client] = await page.$eval('[data-test=resident-table] .el-table__body-wrapper .el-scrollbar__wrap', (el) => [el.scrollWidth, el.clientWidth]);
    assert.ok(scroll <= client + 1, `no sideways scrolling: ${scroll} > ${client}`);
    const card = await page.locator('.page-card').boundingBox();
    assert.ok(card.x + card.width <= 1366, 'the page fits the screen');
    const nameHead = page.locator('[data-test=resident-table] thead th').first();
    assert.match(await nameHead.textContent(), /姓名/);
    assert.match(await nameHead.getAttribute('class'), /el-table-fixed-column--left/, '姓名 is pinned');
    assert.equal(await page.locator('[data-test=resident-table] tbody tr >> text=迁出').count(), 0, 'no 迁出 on the rows');
    await page.locator('[data-test=resident-table] tbody tr').first().click();
    await page.waitForSelector('[data-test=resident-drawer] [data-test=move-out]');
    await shot(page, 'console-residents-1366');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('staff add a tag in 标签管理; it is offered in the filter and on a resident', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.click('.el-menu >> text="居民"');
    await page.waitForSelector('[data-test=resident-table] .el-table__row');
    await page.click('[data-test=tag-filter]');
    await page.click('[data-test=manage-tags]');
    const dlg = page.locator('[data-test=tag-manager]');
    await dlg.locator('[data-test=tag-table] .el-table__row').first().waitFor();
    await dlg.locator('input[name=tag-name]').fill('空巢老人');
    await dlg.locator('[data-test=tag-key]').click();
    await dlg.locator('[data-test=tag-add]').click();
    await dlg.locator('[data-test=tag-table] tr', { hasText: '空巢老人' }).waitFor();
    assert.match(await dlg.locator('[data-test=tag-table] tr', { hasText: '空巢老人' }).textContent(), /重点人群/);
    /* the same name again: the server's reason, in Chinese */
    await dlg.locator('input[name=tag-name]').fill('空巢老人');
    await dlg.locator('[data-test=tag-add]').click();
    assert.match(await dlg.locator('[data-test=tag-error]').textContent(), /同名/);
    await shot(page, 'console-tag-manager');
    await page.keyboard.press('Escape');

    await page.click('[data-test=tag-filter]');
    await page.locator('.el-select-dropdown__item', { hasText: '空巢老人' }).waitFor();
    await page.keyboard.press('Escape');
    const api = await apiAs(srv.url, 'staff');
    const tag = (await api('/tags')).body.items.find((t) => t.name === '空巢老人');
    assert.deepEqual({ ...tag }, { name: '空巢老人', key_population: true, builtin: false, residents: 0 });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a new building gets its households from 新增户 and from an empty cell\'s ＋', async () => {
    const api = await apiAs(srv.url, 'staff');
    const made = await api('/buildings', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ community: COMMUNITY, name: '新建测试楼', units: 2, floors: 3 }),
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(`${srv.url}/#/buildings/${made.body.id}`);
    await page.waitForSelector('[data-test=building-name]');

    await page.click('[data-test=add-household]');
    const dlg = page.locator('[data-test=household-dialog]');
    await dlg.locator('.el-form-item', { hasText: '楼层' }).locator('input').fill('2');
    await dlg.locator('input[name=room]').fill('201');
    await dlg.locator('input[name=area]').fill('65.5');
    await dlg.locator('[data-test=household-save]').click();
    await page.locator('[data-test=household-cell]', { hasText: '201' }).waitFor();

    /* unit 2, floor 3 is empty: its ＋ opens the dialog there */
    const plus = page.locator('[data-test=building-grid] tbody tr').first().locator('[data-test=add-here]').last();
    await plus.click();
    await dlg.locator('input[name=room]').fill('302');
    await dlg.locator('[data-test=household-save]').click();
    await page.locator('[data-test=household-cell]', { hasText: '302' }).waitFor();

    /* the same room again: the server's reason under 室号 */
    await page.click('[data-test=add-household]');
    await dlg.locator('.el-form-item', { hasText: '楼层' }).locator('input').fill('2');
    await dlg.locator('input[name=room]').fill('201');
    await dlg.locator('[data-test=household-save]').click();
    assert.match(await dlg.locator('.el-form-item', { hasText: '室号' }).locator('.el-form-item__error').textContent(), /室号/);
    await shot(page, 'console-household-add');
    await page.keyboard.press('Escape');

    const list = (await api(`/households?building_id=${made.body.id}`)).body.items.map((h) => [h.unit, h.floor, h.room, h.area_m2]);
    assert.deepEqual(list.sort(), [[1, 2, '201', 65.5], [2, 3, '302', null]]);
    await page.locator('[data-test=household-cell]', { hasText: '201' }).click();
    assert.equal((await page.textContent('[data-test=household-address]')).trim(), '新建测试楼1单元201室');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('open a building, then a household, then its residents', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.click('.el-menu >> text=楼栋');
    await page.waitForSelector('[data-test=building-card]');
    await shot(page, 'console-buildings');
    const name = (await page.textContent('[data-test=building-card] .bname')).trim();
    await page.click('[data-test=building-card]');
    await page.waitForSelector('[data-test=building-grid]');
    assert.equal((await page.textContent('[data-test=building-name]')).trim(), name);
    await shot(page, 'console-building');

    /* Open the first household that has residents. */
    await page.click('[data-test=household-cell].occupied');
    await page.waitForSelector('[data-test=household-address]');
    await page.waitForSelector('[data-test=household-residents] .el-table__row');
    const address = await page.textContent('[data-test=household-address]');
    assert.ok(address.includes(name), `address "${address}" names the building "${name}"`);
    const names = await page.$$eval('[data-test=household-residents] tbody tr td:first-child', (tds) => tds.map((t) => t.textContent.trim()));
    assert.ok(names.length > 0);
    await shot(page, 'console-household');

    await page.click('[data-test=household-residents] tbody tr');
    await page.waitForSelector('[data-test=resident-drawer] .name');
    assert.ok((await page.textContent('[data-test=resident-drawer] .name')).includes(names[0]));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('add a resident without an ID number and with a landline, edit her, move her out', async () => {
    const api = await apiAs(srv.url, 'staff');
    const hh = (await api(`/households?per_page=1`)).body.items[0];
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(`${srv.url}/#/households/${hh.id}`);
    await page.waitForSelector('[data-test=household-address]');

    await page.click('[data-test=household-add-resident]');
    const dlg = page.locator('[data-test=resident-dialog]');
    await dlg.locator('input[name=name]').fill('测试新户员');
    await dlg.locator('.el-form-item', { hasText: '与户主关系' }).locator('input').fill('外孙女');
    await page.keyboard.press('Enter');
    await dlg.locator('.el-radio', { hasText: '女' }).click();
    await dlg.locator('.el-form-item', { hasText: '出生日期' }).locator('input').fill('2015-06-01');
    await page.keyboard.press('Enter');
    await dlg.locator('input[name=phone]').fill('021-62345678');
    await shot(page, 'console-resident-add');
    await dlg.locator('[data-test=resident-save]').click();
    const row = page.locator('[data-test=household-residents] tbody tr', { hasText: '测试新户员' });
    await row.waitFor();
    const found = (await api(`/residents?household_id=${hh.id}&q=${encodeURIComponent('测试新户员')}`)).body.items;
    assert.equal(found.length, 1);
    assert.equal(found[0].id_number, null);
    assert.equal(found[0].relation, '外孙女');
    assert.equal(found[0].birth_date, '2015-06-01');

    /* edit from her drawer */
    await row.click();
    await page.locator('[data-test=resident-drawer] button', { hasText: '编辑' }).click();
    await dlg.locator('input[name=name]').fill('测试新户员乙');
    await dlg.locator('[data-test=resident-save]').click();
    await page.locator('[data-test=household-residents] tbody tr', { hasText: '测试新户员乙' }).waitFor();
    assert.equal((await api(`/residents/${found[0].id}`)).body.name, '测试新户员乙');

    /* move out: she leaves the household's list and keeps her record */
    await page.keyboard.press('Escape');
    await page.locator('[data-test=household-residents] tbody tr', { hasText: '测试新户员乙' }).locator('[data-test=household-move-out]').click();
    await page.locator('.el-message-box input').fill('随父母搬离');
    await page.locator('.el-message-box button', { hasText: '确定迁出' }).click();
    await page.locator('[data-test=household-residents] tbody tr', { hasText: '测试新户员乙' }).waitFor({ state: 'detached' });
    const gone = (await api(`/residents/${found[0].id}`)).body;
    assert.equal(gone.status, 'moved_out');
    assert.equal(gone.history.at(-1).reason, '随父母搬离');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('import a CSV with bad rows, see the rejected rows, then export', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.click('.el-menu >> text=导入导出');
    await page.waitForSelector('[data-test=import-upload]');
    await page.setInputFiles('[data-test=import-upload] input[type=file]', {
      name: '居民台账.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(importCsv(), 'utf8'),
    });
    await page.click('[data-test=import-start]');
    await page.waitForSelector('[data-test=rejected-table] .el-table__row');
    assert.equal(Number(await page.textContent('[data-test=imported-count]')), 2);
    const rows = await page.$$eval('[data-test=rejected-table] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    assert.deepEqual(rows.map((r) => Number(r[0])), [3, 5]);
    assert.deepEqual(rows.map((r) => r[1]), ['身份证号', '手机号']);
    for (const r of rows) assert.match(r[2], /[\u4e00-\u9fff]/, 'reason is in Chinese');
    const heads = await page.$$eval('[data-test=rejected-table] thead th', (ths) => ths.map((t) => t.textContent.trim()));
    assert.deepEqual(heads, ['行号', '字段', '原因']);
    await shot(page, 'console-import');

    /* A file without the needed columns is refused whole, with the server's reason. */
    await page.setInputFiles('[data-test=import-upload] input[type=file]', {
      name: 'wrong.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('姓名,电话号码呢\r\n张三,1\r\n', 'utf8'),
    });
    await page.click('[data-test=import-start]');
    assert.match(await page.textContent('[data-test=import-error]'), /表头|列/);

    /* Export downloads the register as .xlsx. */
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export]')]);
    assert.match(download.suggestedFilename(), /\.xlsx$/);
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    assert.equal(Buffer.concat(chunks).subarray(0, 2).toString(), 'PK', 'an xlsx is a zip');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('audit log is shown to the secretary, not to staff', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    assert.equal(await page.locator('.el-menu >> text=审计日志').count(), 0);
    await page.context().close();

    /* an export on the command line is audited with no user: it must read in Chinese too */
    if (srv.db) { /* not against a server already running (LINLI_URL) */
      const dir = mkdtempSync(join(tmpdir(), 'linli-audit-'));
      try {
        linli(['export', 'residents', '--db', srv.db, '--community', COMMUNITY, join(dir, 'out.csv')]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    /* a full view by the secretary: the log names her and the resident, not codes and ids */
    const secApi = await apiAs(srv.url, 'secretary');
    const someone = (await secApi(`/residents?community=${COMMUNITY}&per_page=1`)).body.items[0];
    assert.equal((await secApi(`/residents/${someone.id}?reveal=1`)).status, 200);
    const me = (await secApi('/me')).body.user;

    const sec = await newPage(browser);
    await consoleLogin(sec, srv.url, 'secretary');
    await sec.click('.el-menu >> text=审计日志');
    await sec.waitForSelector('[data-test=audit-table] .el-table__row');
    const rows = await sec.$$eval('[data-test=audit-table] .el-table__body tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    const cli = rows.find((r) => r[1] === '命令行工具');
    if (srv.db) {
      assert.ok(cli, 'the command-line export is shown as 命令行工具: ' + JSON.stringify(rows.slice(0, 3)));
      assert.equal(cli[2], '导出台账');
    }
    const view = rows.find((r) => r[2] === '查看完整信息' && r[4] === `居民：${someone.name}`);
    assert.ok(view, 'the full view names the resident: ' + JSON.stringify(rows.slice(0, 3)));
    assert.equal(view[1], `${me.display_name}（社区书记）`, 'and the person who looked');
    for (const r of rows) {
      assert.match(r[1], /[\u4e00-\u9fff]/, 'who, in Chinese: ' + r[1]);
      assert.doesNotMatch(r[2], /[a-z_]+\.[a-z_]+/, 'no raw action code: ' + r[2]);
      assert.doesNotMatch(r[4], /^[a-z_]+ #/, 'no raw object type: ' + r[4]);
    }
    await shot(sec, 'console-audit');
    await sec.context().close();
  });

  test('an expired session goes back to login, then to the page asked for', async () => {
    const page = await newPage(browser);
    await page.context().addInitScript(() => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('linli.console.token', 'expired-token');
      }
    });
    await page.goto(srv.url + '/#/buildings');
    await page.waitForSelector('input[name=username]');
    assert.match(page.url(), /#\/login\?redirect=/);
    await page.fill('input[name=username]', 'staff');
    await page.fill('input[name=password]', 'linli2026');
    await page.click('button.login-btn');
    await page.waitForSelector('[data-test=building-card]');
    await page.context().close();
  });

  test('a street admin picks among the street\'s communities', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'street');
    /* her first page is the whole street; the other pages let her pick a community */
    await page.waitForSelector('[data-test=street-scope]');
    assert.match(await page.textContent('[data-test=user-role]'), /街道管理员/);
    await shot(page, 'console-street-dashboard');
    await page.goto(srv.url + '/#/residents');
    await page.waitForSelector('[data-test=community-picker]');
    /* the server lets only a community's own staff export: no button that would be refused */
    await page.goto(srv.url + '/#/import');
    await page.waitForSelector('[data-test=export-denied]');
    assert.equal(await page.locator('[data-test=export]').count(), 0);
    await shot(page, 'console-street-import');
    await page.context().close();
  });
});

/* Two good rows (lines 2 and 4) and two bad ones (lines 3 and 5). */
function importCsv() {
  return [
    '楼栋,单元,楼层,室号,面积,姓名,性别,出生日期,身份证号,手机号,与户主关系,标签',
    '99号楼,1,1,101,72.5,测试甲,男,1950-03-07,110101195003079771,13900001111,户主,独居老人',
    '99号楼,1,1,101,72.5,测试乙,女,1952-01-01,110101195201010000,13900002222,配偶,',
    '99号楼,1,2,201,,测试丙,女,1988-12-20,110101198812200029,,户主,',
    '99号楼,1,2,202,,测试丁,男,1990-01-01,110101199001010031,139000,户主,',
  ].join('\r\n') + '\r\n';
}

/*
 * Picks a demo resident and her pinyin initials. The initials come from
 * chromium-independent ICU pinyin collation (first character of each letter's
 * range), which is right for almost all names; the API confirms the guess, so
 * a polyphone surname only makes the test try the next resident.
 */
async function findPinyinTarget(api) {
  const { body } = await api(`/residents?community=${COMMUNITY}&per_page=20`);
  for (const r of body.items) {
    const initials = pinyinInitials(r.name);
    if (initials.length < 2) continue;
    const found = await api(`/residents?community=${COMMUNITY}&q=${initials}&per_page=20`);
    if (found.status === 200 && found.body.items.some((x) => x.id === r.id)) return { target: r, initials };
  }
  throw new Error('no demo resident is found by her pinyin initials');
}

const PINYIN_BOUNDS = '阿八嚓哒妸发旮哈讥咔垃痳拏噢妑七呥扨它穵夕丫帀';
const PINYIN_LETTERS = 'abcdefghjklmnopqrstwxyz';
const pinyinOrder = new Intl.Collator('zh-Hans-CN-u-co-pinyin');

function pinyinInitials(name) {
  let out = '';
  for (const ch of name) {
    let letter = '';
    for (let i = 0; i < PINYIN_BOUNDS.length; i++) {
      if (pinyinOrder.compare(ch, PINYIN_BOUNDS[i]) >= 0) letter = PINYIN_LETTERS[i];
      else break;
    }
    out += letter;
  }
  return out;
}

describe('the console notice bell', () => {
  test('a property user sees new dispatches counted, opens one from the bell, marks all read, and lists them all', async () => {
    const property = await apiAs(srv.url, 'property');
    const resident = await apiAs(srv.url, 'resident');
    const json = { 'Content-Type': 'application/json' };
    assert.equal((await property('/notices/read-all', { method: 'POST' })).status, 200, 'the demo\'s notices are read');
    const building = (await resident('/case-buildings')).body.items[0].id;
    const report = async (text) => {
      const r = await resident('/cases', { method: 'POST', headers: json, body: JSON.stringify({ category: 'corridor_clutter', description: text, building_id: building }) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.state, 'dispatched', 'routed to the property company by the demo rule');
      return r.body;
    };
    const first = await report('楼道里堆了很多旧自行车');
    const second = await report('消防通道被纸箱堵住了');
    assert.equal((await property('/notices?unread=1')).body.unread, 2);

    const page = await newPage(browser);
    await page.goto(srv.url + '/');
    await page.waitForSelector('input[name=username]');
    await page.fill('input[name=username]', 'property');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button.login-btn');
    await page.waitForSelector('[data-test=workqueue]');
    const count = () => page.evaluate(() => {
      const el = document.querySelector('[data-test=notice-count] .el-badge__content');
      return el && getComputedStyle(el).display !== 'none' ? el.textContent.trim() : '';
    });
    const countIs = (n) => page.waitForFunction((want) => {
      const el = document.querySelector('[data-test=notice-count] .el-badge__content');
      return (el && getComputedStyle(el).display !== 'none' ? el.textContent.trim() : '') === want;
    }, n);
    await countIs('2');
    assert.equal(await page.getAttribute('[data-test=notice-bell]', 'aria-label'), '消息，2 条未读');
    await shot(page, 'console-notice-bell');

    /* the dropdown lists the newest first, unread ones marked */
    await page.click('[data-test=notice-bell]');
    const item = (id) => page.locator(`.notice-pop [data-test=notice]:has-text("案件 ${id}")`);
    await item(second.id).waitFor();
    const titles = await page.locator('.notice-pop [data-test=notice] .n-title').allTextContents();
    assert.match(titles[0], new RegExp(`案件 ${second.id}`));
    assert.match(titles[1], new RegExp(`案件 ${first.id}`));
    assert.equal(await page.locator('.notice-pop [data-test=notice].unread').count(), 2);
    assert.match(await item(second.id).textContent(), /消防通道被纸箱堵住了/);
    await shot(page, 'console-notice-dropdown');

    /* a click opens the case and marks it read */
    await item(second.id).click();
    await page.waitForURL(new RegExp(`#/cases/${second.id}$`));
    await page.waitForSelector('[data-test=case-state]');
    await countIs('1');
    const box = (await property('/notices?per_page=5')).body;
    assert.equal(box.unread, 1);
    assert.ok(box.items.find((n) => n.link === `/cases/${second.id}`).read_at, 'read on the server');
    assert.equal(box.items.find((n) => n.link === `/cases/${first.id}`).read_at, null, 'the other stays unread');

    /* 全部已读 clears the count */
    await page.click('[data-test=notice-bell]');
    await item(first.id).waitFor();
    await page.click('.notice-pop [data-test=read-all]');
    await countIs('');
    assert.equal(await page.locator('.notice-pop [data-test=notice].unread').count(), 0);
    assert.equal((await property('/notices?unread=1')).body.unread, 0);

    /* the page of all notices, read ones too, and the unread filter */
    await page.click('.notice-pop [data-test=notice-page]');
    await page.waitForURL(/#\/notices$/);
    await page.waitForSelector('[data-test=notice-page-list] [data-test=notice]');
    const all = (await property('/notices?per_page=20')).body;
    assert.equal(await page.locator('[data-test=notice-page-list] [data-test=notice]').count(), Math.min(20, all.total));
    await shot(page, 'console-notices-page');
    await page.click('[data-test=notice-filter] >> text=未读');
    await page.waitForSelector('[data-test=notice-page-list] >> text=没有未读消息');

    /* a new dispatch shows on the next page the user opens */
    const third = await report('楼道灯下堆着杂物');
    await page.click('[data-test=menu-cases]');
    await countIs('1');
    assert.equal(await count(), '1');
    await page.click('[data-test=notice-bell]');
    await item(third.id).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a booking notice opens the room calendar on that booking: shown and marked when on it, its state and reason when not', async () => {
    const staff = await apiAs(srv.url, 'staff');
    const secretary = await apiAs(srv.url, 'secretary');
    const json = { 'Content-Type': 'application/json' };
    const post = (who, path, body) => who(path, { method: 'POST', headers: json, body: JSON.stringify(body) });
    let r = await post(secretary, '/rooms', { community: COMMUNITY, name: '通知审批室', capacity: 12, rules: { needs_approval: true } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const room = r.body;
    /* two team bookings of the staff member, the day after tomorrow (Beijing time) */
    const day = new Date(Date.now() + 8 * 3600e3 + 2 * 86400e3).toISOString().slice(0, 10);
    const book = async (from, to, team) => {
      const b = await post(staff, '/bookings', { room_id: room.id, start: `${day}T${from}:00+08:00`, end: `${day}T${to}:00+08:00`, team });
      assert.equal(b.status, 201, JSON.stringify(b.body));
      assert.equal(b.body.state, 'pending');
      return b.body;
    };
    const ok = await book('10:00', '11:30', '书法班');
    const no = await book('15:00', '16:00', '合唱团');
    assert.equal((await staff('/notices/read-all', { method: 'POST' })).status, 200);
    assert.equal((await post(secretary, `/bookings/${ok.id}/approve`, {})).status, 200);
    assert.equal((await post(secretary, `/bookings/${no.id}/reject`, { reason: '当天有社区活动' })).status, 200);
    /* only the bookings' notices: the server's care sweep may tell staff of a missed 平安 check at any time of day */
    const bookingNotices = async () => (await staff('/notices?unread=1&per_page=100')).body.items.filter((n) => n.kind.startsWith('booking.'));
    const box = { items: await bookingNotices() };
    assert.equal(box.items.length, 2);
    const kinds = Object.fromEntries(box.items.map((n) => [n.kind, n.link]));
    assert.deepEqual(kinds, { 'booking.approved': `/bookings?id=${ok.id}`, 'booking.rejected': `/bookings?id=${no.id}` });

    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    const item = (title) => page.locator(`.notice-pop [data-test=notice]:has-text("${title}")`);
    await page.click('[data-test=notice-bell]');
    await item('预约已通过审批').waitFor();
    /* every notice the console can open says so; each of these has a page */
    for (const el of await page.locator('.notice-pop [data-test=notice]').all())
      assert.equal(await el.locator('[data-test=notice-go]').count(), 1, await el.textContent());
    await shot(page, 'console-notice-bookings');

    /* the approved one: the calendar opens on its day with the booking marked */
    await item('预约已通过审批').click();
    await page.waitForURL(new RegExp(`#/room-calendar\\?booking=${ok.id}$`));
    const banner = page.locator('[data-test=focus-booking]');
    await banner.waitFor();
    assert.match(await banner.textContent(), /通知审批室.*已预约.*书法班/);
    const block = page.locator(`[data-test=booking-${ok.id}]`);
    await block.waitFor();
    assert.match(await block.getAttribute('class'), /\bfocus\b/);
    assert.ok(await block.isVisible(), 'scrolled into view');
    assert.equal(await page.textContent('[data-test=cal-range]'), `${Number(day.slice(5, 7))}月${Number(day.slice(8))}日 周${'日一二三四五六'[new Date(day + 'T12:00:00+08:00').getUTCDay()]}`);
    await shot(page, 'console-notice-booking-calendar');

    /* the rejected one is not on the calendar: the banner tells its state and the reason */
    await page.click('[data-test=notice-bell]');
    await item('预约未通过审批').click();
    await page.waitForURL(new RegExp(`#/room-calendar\\?booking=${no.id}$`));
    await page.waitForFunction(() => /未通过[\s\S]*已不在日历上/.test(document.querySelector('[data-test=focus-booking]')?.textContent || ''));
    const text = await banner.textContent();
    assert.match(text, /合唱团/);
    assert.match(text, /原因：当天有社区活动/);
    assert.match(text, /已不在日历上/);
    assert.equal(await page.locator(`[data-test=booking-${no.id}]`).count(), 0);
    assert.equal((await bookingNotices()).length, 0, 'both read by the clicks');
    await shot(page, 'console-notice-booking-rejected');

    /* closing the banner leaves the plain calendar */
    await banner.locator('.el-alert__close-btn').click();
    await page.waitForURL(/#\/room-calendar$/);
    assert.equal(await banner.count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
