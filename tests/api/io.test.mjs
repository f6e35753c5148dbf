// The residents register as a file (台账导入导出): CSV and xlsx, over HTTP and on the command line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { startServer, linli, BIN, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';
import { zip } from '../lib/xlsx.mjs';

const OTHER = '310105004001';
const CSV = 'text/csv; charset=utf-8';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = '楼栋,单元,楼层,室号,面积,姓名,性别,出生日期,身份证号,手机号,与户主关系,标签';

let srv;
before(async () => { srv = await startServer({ demo: true, residents: 300 }); });
after(async () => { await srv.stop(); });

const upload = async (user, community, body, type) => {
  const { token } = await srv.login(user);
  const headers = type ? { 'Content-Type': type } : {};
  return srv.api('POST', `/api/v1/residents/import?community=${community}`, { token, raw: body, headers });
};

const count = async (q, community = COMMUNITY) => {
  const { token } = await srv.login(community === COMMUNITY ? 'staff' : 'street');
  const r = await srv.api('GET', `/api/v1/residents?community=${community}&q=${encodeURIComponent(q)}`, { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.total;
};

const revealed = async (id) => {
  const { token } = await srv.login('staff');
  const r = await srv.api('GET', `/api/v1/residents/${id}?reveal=1`, { token });
  assert.equal(r.status, 200);
  return r.body;
};

const findOne = async (q) => {
  const { token } = await srv.login('staff');
  const r = await srv.api('GET', `/api/v1/residents?community=${COMMUNITY}&q=${encodeURIComponent(q)}`, { token });
  assert.equal(r.body.total, 1, `${q}: ${JSON.stringify(r.body)}`);
  return revealed(r.body.items[0].id);
};

const lines = (rejected) => rejected.map((r) => [r.line, r.field, r.code]);

// Good rows: 2 甲, 8 戊, 11 辛 (a 年月日 date). Bad: 3 check digit, 4 phone, 5 no name,
// 7 unknown tag, 9 ID number of line 8 again, 10 no such date; 6 is blank.
const MIXED = [
  HEADER,
  '9号楼,1,3,301,88.5,导入甲,男,1950-03-02,110101195003020016,13912345678,户主,独居老人、高龄',
  '9号楼,1,3,301,,导入乙,,,110101195003020017,,配偶,',
  '9号楼,1,3,302,,导入丙,女,1962/4/15,110101196204150022,1391234567,户主,',
  '9号楼,2,,501,,,男,1988-11-11,,,户主,',
  ',,,,,,,,,,,',
  '9号楼,2,5,501,,导入丁,男,1988-11-11,310105198811110032,,户主,不存在的标签',
  '9号楼,2,5,502,,导入戊,女,2001-01-01,310105200101010045,13800001111,户主,党员',
  '9号楼,2,5,503,,导入己,女,,310105200101010045,,户主,',
  '9号楼,2,5,504,,导入庚,男,1970-13-01,,,户主,',
  '9号楼,2,5,505,,导入辛,男,1970年7月7日,310105197007070055,,户主,',
].join('\r\n') + '\r\n';

test('a CSV imports its good rows and reports each bad one by line and field', async () => {
  const r = await upload('staff', COMMUNITY, MIXED, 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.imported, 3);
  assert.equal(r.body.total_rows, 9);
  assert.deepEqual(lines(r.body.rejected), [
    [3, 'id_number', 'invalid_id_number'],
    [4, 'phone', 'invalid_phone'],
    [5, 'name', 'missing_field'],
    [7, 'tags', 'unknown_tag'],
    [9, 'id_number', 'duplicate_resident'],
    [10, 'birth_date', 'invalid_date'],
  ]);
  for (const rej of r.body.rejected) assert.match(rej.message, /[\u4e00-\u9fff]/);
  assert.match(r.body.rejected[4].message, /第 8 行/);

  for (const name of ['导入甲', '导入戊', '导入辛']) assert.equal(await count(name), 1, name);
  for (const name of ['导入乙', '导入丙', '导入丁', '导入己', '导入庚']) assert.equal(await count(name), 0, name);
  assert.equal(await count('110101195003020016'), 1);

  const jia = await findOne('导入甲');
  assert.equal(jia.address, '9号楼1单元301室');
  assert.equal(jia.phone, '13912345678');
  assert.deepEqual([...jia.tags].sort(), ['独居老人', '高龄'].sort());
  const xin = await findOne('导入辛');
  assert.equal(xin.birth_date, '1970-07-07');
  assert.equal(xin.gender, 'male');

  // the rolled-back rows left no household behind: 9号楼 2单元 has 502 and 505 only
  const { token } = await srv.login('staff');
  const h = await srv.api('GET', `/api/v1/households?building_id=${jia.building_id}&unit=2`, { token });
  assert.deepEqual(h.body.items.map((x) => x.room).sort(), ['502', '505']);

  // the same file again: the good rows are now in the register
  const again = await upload('staff', COMMUNITY, MIXED, 'text/csv');
  assert.equal(again.status, 200);
  assert.equal(again.body.imported, 0);
  assert.deepEqual(again.body.rejected.filter((x) => x.code === 'duplicate_resident').map((x) => x.line), [2, 8, 9, 11]);
  assert.equal(await count('导入甲'), 1);

  const { token: sec } = await srv.login('secretary');
  const audit = await srv.api('GET', '/api/v1/audit?action=resident.import', { token: sec });
  assert.equal(audit.status, 200);
  const entry = audit.body.items.find((e) => e.detail && e.detail.imported === 3);
  assert.ok(entry, JSON.stringify(audit.body.items));
  assert.equal(entry.username, 'staff');
  assert.equal(entry.community, COMMUNITY);
  assert.deepEqual({ ...entry.detail }, { imported: 3, rejected: 6, total_rows: 9, format: 'csv' });
});

test('a birth date after today is a rejected row, by line and field', async () => {
  const csv = [
    HEADER,
    '9号楼,3,1,101,,未来甲,男,2099-01-01,,,户主,',
    '9号楼,3,1,102,,未来乙,,,310105209901011231,,户主,',
    '9号楼,3,1,103,,今日丙,女,1990-05-05,,,户主,',
  ].join('\n') + '\n';
  const r = await upload('staff', COMMUNITY, csv, 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.imported, 1);
  assert.deepEqual(lines(r.body.rejected), [[2, 'birth_date', 'future_date'], [3, 'id_number', 'future_date']]);
  for (const rej of r.body.rejected) assert.match(rej.message, /晚于今天/);
  assert.equal(await count('未来甲'), 0);
  assert.equal(await count('今日丙'), 1);
});

test('English headers, a title row, BOM and LF line ends are accepted', async () => {
  const csv = '\uFEFF新华路第一居委会居民台账\nbuilding,unit,room,name,gender,birth_date,tags\n10号楼,1,202,导入英文,female,1990-05-06,\n';
  const r = await upload('secretary', COMMUNITY, csv, 'application/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.imported, 1);
  assert.deepEqual(r.body.rejected, []);
  const p = await findOne('导入英文');
  assert.equal(p.address, '10号楼1单元202室');
  assert.equal(p.floor, 2); // from the room number
});

test('a file the importer cannot take is refused whole, with nothing written', async () => {
  const cases = [
    ['楼栋,单元,室号,性别\n11号楼,1,101,男\n', 422, 'missing_column', '姓名'],
    [`${HEADER},备注\n11号楼,1,1,101,,导入整表,男,1950-03-02,,,户主,,x\n`, 422, 'unknown_column', '备注'],
    ['楼栋,单元,室号,姓名,姓名\n11号楼,1,101,导入整表,导入整表\n', 422, 'duplicate_column', '姓名'],
    ['', 422, 'empty_file', null],
    ['楼栋,单元,室号,姓名\n11号楼,1,101,"导入整表\n', 422, 'invalid_csv', null],
  ];
  for (const [body, status, code, field] of cases) {
    const r = await upload('staff', COMMUNITY, body, 'text/csv');
    assert.equal(r.status, status, `${code}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/);
  }
  assert.equal(await count('导入整表'), 0);

  const many = HEADER + '\n' + '12号楼,1,1,101,,导入超量,男,1950-03-02,,,户主,\n'.repeat(20001);
  const big = await upload('staff', COMMUNITY, many, 'text/csv');
  assert.equal(big.status, 413);
  assert.equal(big.body.error.code, 'too_many_rows');
  assert.equal(await count('导入超量'), 0);
});

test('a wrong content type, garbage or a CSV not in UTF-8 is 415', async () => {
  const row = `${HEADER}\n13号楼,1,1,101,,导入编码,男,1950-03-02,,,户主,\n`;
  const cases = [
    [JSON.stringify({ name: '导入编码' }), 'application/json', 'unsupported_file'],
    [row, undefined, 'unsupported_file'],
    [Buffer.from([0, 1, 2, 3, 255, 254, 9, 9]), 'application/octet-stream', 'unsupported_file'],
    ['definitely not a spreadsheet', XLSX, 'unsupported_file'],
    [Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]), 'application/octet-stream', 'unsupported_file'],
    // 姓名 in GBK, as Excel on Chinese Windows saves "CSV"
    [Buffer.concat([Buffer.from('\xd0\xd5\xc3\xfb,x\n', 'latin1')]), 'text/csv', 'unsupported_encoding'],
  ];
  for (const [body, type, code] of cases) {
    const r = await upload('staff', COMMUNITY, body, type);
    assert.equal(r.status, 415, `${type}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
  }
  const bad = await upload('staff', COMMUNITY, 'definitely not a spreadsheet', XLSX);
  assert.equal(bad.body.error.message, '文件不是有效的 Excel（.xlsx）文件');
  assert.equal(await count('导入编码'), 0);
});

test('only staff, secretaries and admins import, into their own community', async () => {
  const body = `${HEADER}\n14号楼,1,1,101,,导入越权,男,1950-03-02,,,户主,\n`;
  for (const user of ['resident', 'grid', 'property', 'street']) {
    const r = await upload(user, COMMUNITY, body, 'text/csv');
    assert.equal(r.status, 403, user);
    assert.equal(r.body.error.code, 'forbidden');
  }
  const other = await upload('staff', OTHER, body, 'text/csv');
  assert.equal(other.status, 403);
  for (const [community, status, code] of [['', 400, 'missing_community'], ['3101050040', 400, 'invalid_code'],
    ['310105004999', 422, 'unknown_community']]) {
    const r = await upload('admin', community, body, 'text/csv');
    assert.equal(r.status, status, community);
    assert.equal(r.body.error.code, code);
  }
  assert.equal(await count('导入越权'), 0);
  assert.equal(await count('导入越权', OTHER), 0);
  // an admin may import anywhere
  const admin = await upload('admin', OTHER, body.replace('导入越权', '导入管理员'), 'text/csv');
  assert.equal(admin.status, 200);
  assert.equal(admin.body.imported, 1);
  assert.equal(await count('导入管理员', OTHER), 1);
});

test('only the community\'s staff and secretary export: the file has full ID numbers', async () => {
  for (const user of ['admin', 'street', 'grid', 'property', 'resident']) {
    const { token } = await srv.login(user);
    const r = await srv.api('GET', `/api/v1/residents/export?community=${COMMUNITY}`, { token });
    assert.equal(r.status, 403, user);
  }
  const { token } = await srv.login('staff');
  assert.equal((await srv.api('GET', `/api/v1/residents/export?community=${OTHER}`, { token })).status, 403);
  assert.equal((await srv.api('GET', '/api/v1/residents/export', { token })).status, 400);
  const bad = await srv.api('GET', `/api/v1/residents/export?community=${COMMUNITY}&format=pdf`, { token });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_format');
});

/* ---- a hand-made xlsx (tests/lib/xlsx.mjs: a stored zip, so the test needs no library) ---- */

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const s = (ref, i) => `<c r="${ref}" t="s"><v>${i}</v></c>`;
const n = (ref, v) => `<c r="${ref}"><v>${v}</v></c>`;
const str = (ref, v) => `<c r="${ref}" t="inlineStr"><is><t>${v}</t></is></c>`;

function workbook(rows) {
  const shared = ['楼栋', '单元', '室号', '姓名', '出生日期', '身份证号', '手机号', '15号楼'];
  return zip({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    'xl/workbook.xml': `<?xml version="1.0"?><workbook ${NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
      + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    'xl/sharedStrings.xml': `<?xml version="1.0"?><sst ${NS}>${shared.map((t) => `<si><t>${t}</t></si>`).join('')}</sst>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0"?><worksheet ${NS}><sheetData>${rows.join('')}</sheetData></worksheet>`,
  });
}

test('an xlsx with serial dates and numeric cells imports; a mangled ID number is reported by sheet row', async () => {
  const book = workbook([
    `<row r="1">${s('A1', 0)}${s('B1', 1)}${s('C1', 2)}${s('D1', 3)}${s('E1', 4)}${s('F1', 5)}${s('G1', 6)}</row>`,
    // a serial birth date (1950-03-02), a numeric unit and phone, the ID number as text
    `<row r="2">${s('A2', 7)}${n('B2', 1)}${n('C2', 101)}${str('D2', '导入表格甲')}${n('E2', 18324)}${str('F2', '110102195003020135')}${n('G2', 13911112222)}</row>`,
    // row 3 is missing, row 4 has an ID number typed as a number (Excel kept 15 digits)
    `<row r="4">${s('A4', 7)}${n('B4', 1)}${n('C4', 102)}${str('D4', '导入表格乙')}${n('F4', '1.10102196204150E+17')}</row>`,
    // a gap: no 出生日期 cell; the ID number gives it
    `<row r="5">${s('A5', 7)}${n('B5', 2)}${n('C5', 201)}${str('D5', '导入表格丙')}${str('F5', '110102199001010353')}</row>`,
  ]);
  const r = await upload('staff', COMMUNITY, book, XLSX);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.imported, 2);
  assert.equal(r.body.total_rows, 3);
  assert.deepEqual(lines(r.body.rejected), [[4, 'id_number', 'invalid_id_number']]);
  const jia = await findOne('导入表格甲');
  assert.equal(jia.birth_date, '1950-03-02');
  assert.equal(jia.phone, '13911112222');
  assert.equal(jia.id_number, '110102195003020135');
  assert.equal(jia.address, '15号楼1单元101室');
  const bing = await findOne('导入表格丙');
  assert.equal(bing.birth_date, '1990-01-01');
  assert.equal(await count('导入表格乙'), 0);

  // the same workbook sniffed without a content type
  const sniffed = await upload('staff', COMMUNITY, book, 'application/octet-stream');
  assert.equal(sniffed.status, 200);
  assert.equal(sniffed.body.imported, 0);
});

/* Every active resident of the community, revealed. */
async function register() {
  const { token } = await srv.login('staff');
  const out = [];
  for (let page = 1; ; page++) {
    const r = await srv.api('GET', `/api/v1/residents?community=${COMMUNITY}&per_page=200&page=${page}`, { token });
    for (const item of r.body.items) out.push(await revealed(item.id));
    if (page * 200 >= r.body.total) break;
  }
  return out;
}

const summary = (p) => [p.name, p.id_number, p.phone, p.birth_date, p.gender, p.address, p.floor,
  p.relation, [...p.tags].sort().join('、')].join('|');

test('an export imports again unchanged: xlsx round trip after moving everyone out', async () => {
  const { token } = await srv.login('staff');
  const before = await register();
  assert.ok(before.length > 10, `only ${before.length} residents`);

  const x = await srv.api('GET', `/api/v1/residents/export?community=${COMMUNITY}`, { token });
  assert.equal(x.status, 200);
  assert.equal(x.headers.get('content-type'), XLSX);
  const cd = x.headers.get('content-disposition');
  assert.match(cd, new RegExp(`^attachment; filename="residents-${COMMUNITY}-\\d{4}-\\d\\d-\\d\\d\\.xlsx"`));
  assert.match(cd, /filename\*=UTF-8''%E5%B1%85%E6%B0%91%E5%8F%B0%E8%B4%A6-/); // 居民台账-
  assert.equal(x.headers.get('cache-control'), 'no-store');
  assert.equal(x.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');

  const c = await srv.api('GET', `/api/v1/residents/export?community=${COMMUNITY}&format=csv`, { token });
  assert.equal(c.status, 200);
  assert.match(c.headers.get('content-type'), /^text\/csv/);
  assert.match(c.headers.get('content-disposition'), /residents-310105004017-.*\.csv"/);
  const text = c.body.toString('utf8');
  assert.ok(text.startsWith('\uFEFF楼栋,单元,楼层,室号,面积,姓名,性别,出生日期,身份证号,手机号,与户主关系,标签,迁入日期\r\n'));
  assert.equal(text.trimEnd().split('\r\n').length, before.length + 1);
  assert.ok(text.includes('110101195003020016'), 'full ID numbers');

  for (const p of before) {
    const r = await srv.api('DELETE', `/api/v1/residents/${p.id}`, { token });
    assert.equal(r.status, 200);
  }
  assert.equal((await srv.api('GET', `/api/v1/residents?community=${COMMUNITY}`, { token })).body.total, 0);

  const r = await upload('staff', COMMUNITY, x.body, XLSX);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.rejected, []);
  assert.equal(r.body.imported, before.length);

  const after = await register();
  assert.deepEqual(after.map(summary).sort(), before.map(summary).sort());

  const { token: sec } = await srv.login('secretary');
  const audit = await srv.api('GET', '/api/v1/audit?action=resident.export', { token: sec });
  assert.equal(audit.status, 200);
  assert.ok(audit.body.total >= 2);
  const formats = audit.body.items.slice(0, 2).map((e) => e.detail.format).sort();
  assert.deepEqual(formats, ['csv', 'xlsx']);
  for (const e of audit.body.items.slice(0, 2)) {
    assert.equal(e.detail.rows, before.length);
    assert.equal(e.username, 'staff');
    assert.equal(e.community, COMMUNITY);
  }
});

test('the CLI exports and imports the same files, and reports rejected lines', () => {
  const run = (args) => spawnSync(BIN, args, { encoding: 'utf8' });
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-io-'));
  try {
    const csv = path.join(dir, 'register.csv');
    const xlsx = path.join(dir, 'register.xlsx');
    const out = linli(['export', 'residents', '--db', srv.db, '--community', COMMUNITY, csv]);
    const n = Number(out.match(/exported (\d+) residents/)[1]);
    assert.ok(n > 10, out);
    assert.equal(statSync(csv).mode & 0o777, 0o600);
    assert.ok(readFileSync(csv, 'utf8').startsWith('\uFEFF楼栋,'));
    linli(['export', 'residents', '--db', srv.db, '--community', COMMUNITY, xlsx]);
    assert.equal(readFileSync(xlsx).subarray(0, 2).toString(), 'PK');

    // a new database with its own key: the xlsx imports whole, and exports as the same CSV
    const fresh = path.join(dir, 'fresh.db');
    linli(['migrate', '--db', fresh]);
    linli(['import', 'divisions', '--db', fresh, '--street', STREET]);
    const imp = linli(['import', 'residents', '--db', fresh, '--community', COMMUNITY, xlsx]);
    assert.match(imp, new RegExp(`imported ${n} of ${n} rows`));
    const csv2 = path.join(dir, 'again.csv');
    linli(['export', 'residents', '--db', fresh, '--community', COMMUNITY, csv2]);
    assert.equal(readFileSync(csv2, 'utf8'), readFileSync(csv, 'utf8'));

    // rejected rows are listed, and the exit status is still 0
    const empty = path.join(dir, 'empty.db');
    linli(['migrate', '--db', empty]);
    linli(['import', 'divisions', '--db', empty, '--street', STREET]);
    const mixed = path.join(dir, 'mixed.csv');
    writeFileSync(mixed, MIXED);
    const r = run(['import', 'residents', '--db', empty, '--community', OTHER, mixed]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported 3 of 9 rows/);
    assert.match(r.stdout, /^line 3: id_number: .*\(invalid_id_number\)$/m);
    assert.match(r.stdout, /^line 7: tags: .*\(unknown_tag\)$/m);
    const audit = dbSql(empty, "SELECT username || ' ' || role || ' ' || detail FROM audit WHERE action = 'resident.import' ORDER BY id");
    assert.match(audit, /^cli system \{"imported":3,"rejected":6,"total_rows":9,"format":"csv"\}$/m);
    const freshAudit = dbSql(fresh, "SELECT detail FROM audit WHERE action = 'resident.import'");
    assert.equal(freshAudit.trim(), `{"imported":${n},"rejected":0,"total_rows":${n},"format":"xlsx"}`);

    // unreadable files and bad arguments fail
    const junk = path.join(dir, 'junk.xlsx');
    writeFileSync(junk, 'not a workbook');
    const bad = run(['import', 'residents', '--db', fresh, '--community', COMMUNITY, junk]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /文件不是有效的 Excel/);
    assert.notEqual(run(['import', 'residents', '--db', fresh, '--community', COMMUNITY, path.join(dir, 'missing.csv')]).status, 0);
    assert.equal(run(['import', 'residents', '--db', fresh, mixed]).status, 2);
    assert.equal(run(['export', 'residents', '--db', fresh, '--community', COMMUNITY, path.join(dir, 'x.pdf')]).status, 2);
    assert.notEqual(run(['export', 'residents', '--db', fresh, '--community', '310105004999', path.join(dir, 'x.csv')]).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/*
 * Without an ID number, the same name and birth date in the same household is
 * the same person: registered once, by hand or by import, not twice; another
 * household, another birth date, or after she moved out, is someone new.
 */
test('a resident without an ID number is not registered twice in her household', async () => {
  const { token } = await srv.login('staff');
  const file = [HEADER, '9号楼,3,1,101,,无证甲,女,2024-05-06,,,户主,', '9号楼,3,1,101,,无证乙,男,2024-05-06,,,子女,'].join('\r\n') + '\r\n';
  const first = await upload('staff', COMMUNITY, file, 'text/csv');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.imported, 2);
  const again = await upload('staff', COMMUNITY, file, 'text/csv');
  assert.equal(again.body.imported, 0);
  assert.deepEqual(lines(again.body.rejected), [[2, 'name', 'duplicate_resident'], [3, 'name', 'duplicate_resident']]);
  for (const rej of again.body.rejected) assert.match(rej.message, /同名、同出生日期/);
  assert.equal(await count('无证甲'), 1);

  const jia = (await srv.api('GET', `/api/v1/residents?community=${COMMUNITY}&q=${encodeURIComponent('无证甲')}`, { token })).body.items[0];
  const same = { household_id: jia.household_id, name: '无证甲', gender: 'female', birth_date: '2024-05-06', relation: '户主' };
  const dup = await srv.api('POST', '/api/v1/residents', { token, body: same });
  assert.equal(dup.status, 409, JSON.stringify(dup.body));
  assert.equal(dup.body.error.code, 'duplicate_resident');
  assert.equal(dup.body.error.field, 'name');
  assert.equal(await count('无证甲'), 1, 'nothing half-written');
  // another birth date is another person
  const other = await srv.api('POST', '/api/v1/residents', { token, body: { ...same, birth_date: '2024-05-07' } });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  // once she has moved out, she may be registered again
  const out = await srv.api('DELETE', `/api/v1/residents/${jia.id}`, { token, body: { date: '2026-11-01', reason: '迁出' } });
  assert.ok(out.status === 200 || out.status === 204, JSON.stringify(out.body));
  const back = await srv.api('POST', '/api/v1/residents', { token, body: same });
  assert.equal(back.status, 201, JSON.stringify(back.body));
});
