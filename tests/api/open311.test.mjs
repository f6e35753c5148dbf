// Open311 GeoReport v2 against the spec (http://wiki.open311.org/GeoReport_v2):
// every resource in JSON and XML (XML read back with Python's
// xml.etree parser), every field of a service and a service request, the
// standard filters, posting with an API key, tokens, and every error in the
// standard's shape. The only npm Open311 client (open311@0.0.12) cannot be
// installed (it depends on a git URL), so these tests are our own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, COMMUNITY, dbSql, sqlHex } from '../lib/server.mjs';

const OTHER = '310105004001';
const BASE = '/open311/v2';
let srv, key, otherKey, building;
const sql = (q) => dbSql(srv.db, q).trim();

/* XML text -> plain objects, by a real XML parser (Python's xml.etree). */
function xml(text) {
  const py = `
import sys, json, xml.etree.ElementTree as ET
def conv(e):
    kids = list(e)
    if not kids:
        return e.text or ''
    return {'tag': e.tag, 'children': [[k.tag, conv(k)] for k in kids]}
root = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps({'root': root.tag, 'body': conv(root)}, ensure_ascii=False))`;
  return JSON.parse(execFileSync('python3', ['-c', py], { input: text, encoding: 'utf8' }));
}
const fields = (node) => Object.fromEntries(node.children.map(([k, v]) => [k, v]));

async function get(p) {
  const r = await fetch(srv.url + BASE + p);
  const type = r.headers.get('content-type');
  const text = await r.text();
  return { status: r.status, type, text, body: type.includes('json') ? JSON.parse(text) : null };
}
async function post(p, form) {
  const r = await fetch(srv.url + BASE + p, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const type = r.headers.get('content-type');
  const text = await r.text();
  return { status: r.status, type, text, body: type.includes('json') ? JSON.parse(text) : null };
}
function expectErr(r, status) {
  assert.equal(r.status, status, r.text);
  if (r.type.includes('json')) {
    assert.ok(Array.isArray(r.body), r.text);
    assert.deepEqual(Object.keys(r.body[0]).sort(), ['code', 'description']);
    assert.equal(r.body[0].code, status);
    assert.match(r.body[0].description, /[\u4e00-\u9fff]|api_key|jurisdiction_id|service_code/);
  } else {
    const x = xml(r.text);
    assert.equal(x.root, 'errors');
    const e = fields(x.body.children[0][1]);
    assert.equal(x.body.children[0][0], 'error');
    assert.equal(e.code, String(status));
    assert.ok(e.description.length > 0);
  }
}

before(async () => {
  srv = await startServer({ demo: true, residents: 300 });
  key = srv.linli(['open311', 'key', '--db', srv.db, '--community', COMMUNITY]).trim();
  otherKey = srv.linli(['open311', 'key', '--db', srv.db, '--community', OTHER]).trim();
  building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
});
after(async () => { await srv.stop(); });

test('keys: printed once, stored only as a hash', () => {
  assert.match(key, /^[A-Za-z0-9_-]{20,}$/);
  assert.notEqual(key, otherKey);
  assert.equal(sql(`SELECT count(*) FROM case_api_key WHERE community = '${COMMUNITY}'`), '1');
  assert.equal(sql(`SELECT count(*) FROM case_api_key WHERE ${sqlHex('key_hash')} LIKE '%${Buffer.from(key).toString('hex').toUpperCase()}%' OR ${sqlHex('key_hash')} = '${Buffer.from(key).toString('hex').toUpperCase()}'`), '0');
  assert.throws(() => srv.linli(['open311', 'key', '--db', srv.db, '--community', '999999999999']));
});

test('discovery lists the v2 endpoint in both formats', async () => {
  const j = await get('/discovery.json');
  assert.equal(j.status, 200);
  assert.ok(j.body.changeset && j.body.contact && j.body.key_service);
  assert.equal(j.body.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.match(j.body.endpoints[0].url, /\/open311\/v2$/);
  assert.deepEqual(j.body.endpoints[0].formats, ['text/xml', 'application/json']);
  const x = await get('/discovery.xml');
  assert.match(x.type, /text\/xml/);
  const d = xml(x.text);
  assert.equal(d.root, 'discovery');
  const ep = fields(fields(d.body).endpoints.children[0][1]);
  assert.equal(ep.specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.deepEqual(ep.formats.children.map(([t, v]) => [t, v]), [['format', 'text/xml'], ['format', 'application/json']]);
});

test('services: every category, with all fields, JSON and XML', async () => {
  const j = await get(`/services.json?jurisdiction_id=${COMMUNITY}`);
  assert.equal(j.status, 200);
  assert.equal(j.body.length, 12);
  for (const s of j.body) {
    assert.deepEqual(Object.keys(s).sort(), ['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type']);
    assert.equal(s.metadata, false);
    assert.equal(s.type, 'realtime');
  }
  const codes = sql(`SELECT code FROM case_category WHERE community = '${COMMUNITY}' AND active = 1 ORDER BY sort, id`).split('\n');
  assert.deepEqual(j.body.map((s) => s.service_code), codes);
  const x = xml((await get(`/services.xml?jurisdiction_id=${COMMUNITY}`)).text);
  assert.equal(x.root, 'services');
  assert.equal(x.body.children.length, 12);
  assert.equal(x.body.children[0][0], 'service');
  assert.equal(fields(x.body.children[0][1]).service_code, codes[0]);
  assert.equal(fields(x.body.children[0][1]).metadata, 'false');
  const def = await get(`/services/corridor_clutter.json?jurisdiction_id=${COMMUNITY}`);
  assert.equal(def.status, 200);
  assert.deepEqual(def.body, { service_code: 'corridor_clutter', attributes: [] });
  const defx = xml((await get(`/services/corridor_clutter.xml?jurisdiction_id=${COMMUNITY}`)).text);
  assert.equal(defx.root, 'service_definition');
});

test('errors: the standard shape, in the format asked for', async () => {
  expectErr(await get('/services.json'), 400);
  expectErr(await get('/services.xml'), 400);
  expectErr(await get('/services.json?jurisdiction_id=999999999999'), 404);
  expectErr(await get(`/services/no_such.json?jurisdiction_id=${COMMUNITY}`), 404);
  expectErr(await get(`/services/no_such.xml?jurisdiction_id=${COMMUNITY}`), 404);
  expectErr(await get(`/services/corridor_clutter.txt?jurisdiction_id=${COMMUNITY}`), 404);
  expectErr(await get('/requests.json'), 400);
  expectErr(await get(`/requests.json?jurisdiction_id=${COMMUNITY}&start_date=yesterday`), 400);
  expectErr(await get(`/requests.json?jurisdiction_id=${COMMUNITY}&status=pending`), 400);
  expectErr(await get(`/requests.json?jurisdiction_id=${COMMUNITY}&service_request_id=abc`), 400);
  expectErr(await get('/requests/99999999.json'), 404);
  expectErr(await get('/requests/99999999.xml'), 404);
  expectErr(await get('/tokens/nope.json'), 404);
});

test('posting needs a valid key for the jurisdiction and a known service and place', async () => {
  const base = { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'noise', description: '夜里施工', address_id: String(building) };
  const before = sql('SELECT count(*) FROM cases');
  expectErr(await post('/requests.json', { ...base, api_key: '' }), 403);
  expectErr(await post('/requests.json', { ...base, api_key: 'wrong' }), 403);
  expectErr(await post('/requests.xml', { ...base, api_key: 'wrong' }), 403);
  expectErr(await post('/requests.json', { ...base, api_key: otherKey }), 403);
  expectErr(await post('/requests.json', { ...base, jurisdiction_id: '' }), 400);
  expectErr(await post('/requests.json', { ...base, service_code: '' }), 400);
  expectErr(await post('/requests.json', { ...base, service_code: 'no_such' }), 404);
  expectErr(await post('/requests.json', { ...base, address_id: '' }), 400);
  // free text is kept (see below), but only where the community has a map area or building points
  sql(`DELETE FROM case_setting WHERE community = '${OTHER}'`);
  sql(`UPDATE building SET lat = NULL, lon = NULL WHERE community = '${OTHER}'`);
  const noArea = await post('/requests.json', { ...base, api_key: otherKey, jurisdiction_id: OTHER, address_id: '', address_string: '不存在的楼' });
  expectErr(noArea, 400);
  assert.match(noArea.body[0].description, /地图范围/);
  expectErr(await post('/requests.json', { ...base, address_id: '', lat: '31.208' }), 400);
  expectErr(await post('/requests.json', { ...base, address_id: '', lat: '31.5', long: '121.42' }), 400);
  expectErr(await post('/requests.json', { ...base, address_id: '', lat: 'north', long: '121.42' }), 400);
  const far = sql(`SELECT id FROM building WHERE community = '${OTHER}' LIMIT 1`);
  expectErr(await post('/requests.json', { ...base, address_id: far }), 400);
  const r = await fetch(srv.url + BASE + '/requests.json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(r.status, 415);
  assert.equal((await r.json())[0].code, 415);
  assert.equal(sql('SELECT count(*) FROM cases'), before, 'nothing written');
});

let posted;
test('a post creates a case routed like any other, with a token', async () => {
  const r = await post('/requests.json', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'corridor_clutter', description: '楼道堆物，Open311 上报', address_id: String(building), first_name: '三', last_name: '张', phone: '13700001111', email: 'a@example.com' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.length, 1);
  posted = r.body[0];
  assert.ok(posted.service_request_id > 0);
  assert.match(posted.token, /^[0-9a-f]{32}$/);
  assert.ok('service_notice' in posted && 'account_id' in posted);
  const row = sql(`SELECT source || '|' || state || '|' || coalesce(contact_name, '') || '|' || contact_phone_masked FROM cases WHERE id = ${posted.service_request_id}`);
  assert.equal(row, 'open311|dispatched|张三|137****1111');
  const x = await post('/requests.xml', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'parking', lat: '31.208', long: '121.42', address_string: '东门' });
  assert.equal(x.status, 201, x.text);
  const d = xml(x.text);
  assert.equal(d.root, 'service_requests');
  assert.equal(d.body.children[0][0], 'request');
  assert.ok(Number(fields(d.body.children[0][1]).service_request_id) > posted.service_request_id);
  const byName = await post('/requests.json', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'sanitation', address_string: sql(`SELECT name FROM building WHERE id = ${building}`) });
  assert.equal(byName.status, 201, byName.text);
  assert.equal(sql(`SELECT building_id FROM cases WHERE id = ${byName.body[0].service_request_id}`), String(building));
});

test('tokens name the request', async () => {
  const j = await get(`/tokens/${posted.token}.json`);
  assert.equal(j.status, 200);
  assert.deepEqual(j.body, [{ service_request_id: posted.service_request_id, token: posted.token }]);
  const x = xml((await get(`/tokens/${posted.token}.xml`)).text);
  assert.equal(fields(x.body.children[0][1]).service_request_id, String(posted.service_request_id));
});

test('a request has every field of the spec, and no personal data', async () => {
  const j = await get(`/requests/${posted.service_request_id}.json`);
  assert.equal(j.status, 200);
  const s = j.body[0];
  assert.deepEqual(Object.keys(s).sort(), ['address', 'address_id', 'agency_responsible', 'description', 'expected_datetime', 'lat', 'long',
    'media_url', 'requested_datetime', 'service_code', 'service_name', 'service_notice', 'service_request_id', 'status', 'status_notes',
    'updated_datetime', 'zipcode'].sort());
  assert.equal(s.status, 'open');
  assert.equal(s.service_code, 'corridor_clutter');
  assert.equal(s.service_name, '楼道堆物');
  assert.equal(s.agency_responsible, '幸福物业服务中心');
  assert.equal(s.address_id, building);
  assert.match(s.requested_datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  assert.ok(Date.parse(s.expected_datetime) > Date.parse(s.requested_datetime));
  assert.ok(!j.text.includes('13700001111') && !j.text.includes('张三'));
  expectErr(await get(`/requests/${posted.service_request_id}.json?jurisdiction_id=${OTHER}`), 404);
  const x = xml((await get(`/requests/${posted.service_request_id}.xml`)).text);
  assert.equal(x.root, 'service_requests');
  const f = fields(x.body.children[0][1]);
  assert.equal(f.service_request_id, String(posted.service_request_id));
  assert.equal(f.status, 'open');
  assert.equal(f.lat, '');
});

test('status follows the case; closed shows its note', async () => {
  const id = posted.service_request_id;
  const { token } = await srv.login('staff');
  const prop = (await srv.login('property')).token;
  const grid = (await srv.login('grid')).token;
  for (const [t, a] of [[prop, 'handle'], [grid, 'verify'], [token, 'close']]) {
    const r = await srv.api('POST', `/api/v1/cases/${id}/${a}`, { token: t, body: { reason: '已清理' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const s = (await get(`/requests/${id}.json`)).body[0];
  assert.equal(s.status, 'closed');
  assert.equal(s.status_notes, '已清理');
});

test('requests.json filters: service_request_id, service_code, status, start_date, end_date', async () => {
  const J = `jurisdiction_id=${COMMUNITY}`;
  const all = await get(`/requests.json?${J}`);
  assert.equal(all.status, 200);
  const recent = Number(sql(`SELECT count(*) FROM cases WHERE community = '${COMMUNITY}' AND created_at >= ${Date.now() - 90 * 86400 * 1000}`));
  assert.equal(all.body.length, recent, 'the last 90 days by default');
  const ids = all.body.slice(0, 3).map((s) => s.service_request_id);
  const byId = await get(`/requests.json?${J}&service_request_id=${ids.join(',')}&status=closed`);
  assert.deepEqual(byId.body.map((s) => s.service_request_id).sort(), [...ids].sort(), 'ids ignore other filters');
  const noise = await get(`/requests.json?${J}&service_code=noise,parking`);
  assert.ok(noise.body.length > 0);
  for (const s of noise.body) assert.ok(['noise', 'parking'].includes(s.service_code));
  const open = await get(`/requests.json?${J}&status=open`);
  const closed = await get(`/requests.json?${J}&status=closed`);
  assert.equal(open.body.length + closed.body.length, all.body.length);
  for (const s of open.body) assert.equal(s.status, 'open');
  for (const s of closed.body) assert.equal(s.status, 'closed');
  const start = new Date(Date.now() - 10 * 86400e3).toISOString();
  const since = await get(`/requests.json?${J}&start_date=${start}`);
  assert.equal(since.body.length, Number(sql(`SELECT count(*) FROM cases WHERE community = '${COMMUNITY}' AND created_at >= ${Date.parse(start)}`)));
  for (const s of since.body) assert.ok(Date.parse(s.requested_datetime) >= Date.parse(start) - 1000);
  const end = new Date(Date.now() - 20 * 86400e3).toISOString();
  const until = await get(`/requests.json?${J}&end_date=${encodeURIComponent(end)}`);
  for (const s of until.body) assert.ok(Date.parse(s.requested_datetime) <= Date.parse(end));
  expectErr(await get(`/requests.json?${J}&start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`), 400);
  /* another jurisdiction lists its own (the demo's history there), none of this one's */
  const days90 = Date.now() - 90 * 86400e3; /* the default window (SQL for both stores) */
  const other = await get(`/requests.json?jurisdiction_id=${OTHER}`);
  assert.equal(other.body.length, Number(sql(`SELECT count(*) FROM cases WHERE community = '${OTHER}' AND created_at >= ${days90}`)));
  const ours = new Set(all.body.map((s) => s.service_request_id));
  for (const s of other.body) assert.ok(!ours.has(s.service_request_id));
  const x = xml((await get(`/requests.xml?${J}&status=open`)).text);
  assert.equal(x.root, 'service_requests');
  assert.equal(x.body.children ? x.body.children.length : 0, open.body.length);
});

test('api_key and jurisdiction_id in the query string, as the open311 library sends them', async () => {
  const q = `?api_key=${encodeURIComponent(key)}&jurisdiction_id=${COMMUNITY}`;
  const r = await post(`/requests.json${q}`, { service_code: 'noise', description: '查询串里的密钥', address_id: String(building) });
  assert.equal(r.status, 201, r.text);
  assert.equal(sql(`SELECT source FROM cases WHERE id = ${r.body[0].service_request_id}`), 'open311');
  const mixed = await post(`/requests.json?jurisdiction_id=${COMMUNITY}`, { api_key: key, service_code: 'noise', address_id: String(building) });
  assert.equal(mixed.status, 201, mixed.text);
  expectErr(await post(`/requests.json?api_key=wrong&jurisdiction_id=${COMMUNITY}`, { service_code: 'noise', address_id: String(building) }), 403);
  expectErr(await post(`/requests.json?api_key=${encodeURIComponent(otherKey)}&jurisdiction_id=${COMMUNITY}`, { service_code: 'noise', address_id: String(building) }), 403);
});

test('unknown paths under /open311/v2/ answer the spec error in the format asked for', async () => {
  for (const p of ['/nothing.json', '/requests/1/more.json', '/a/b/c/d.json', '/']) {
    const r = await get(p);
    expectErr(r, 404);
    assert.match(r.type, /application\/json/);
  }
  for (const p of ['/nothing.xml', '/requests/1/more.xml', '/a/b/c/d.xml']) {
    const r = await get(p);
    assert.match(r.type, /^text\/xml/);
    expectErr(r, 404);
  }
  const del = await fetch(srv.url + BASE + '/requests.xml', { method: 'DELETE' });
  const text = await del.text();
  expectErr({ status: del.status, type: del.headers.get('content-type'), text, body: null }, 405);
  // outside /open311/v2/ linli's own error stays
  const own = await fetch(srv.url + '/api/v1/no-such-route');
  assert.equal(own.status, 404);
  assert.ok((await own.json()).error);
});

test('discovery lists more than one endpoint, including the exact Content-Types served', async () => {
  const j = await get('/discovery.json');
  assert.ok(j.body.endpoints.length >= 2);
  for (const e of j.body.endpoints) assert.equal(e.specification, 'http://wiki.open311.org/GeoReport_v2');
  const x = await get('/discovery.xml');
  assert.equal(x.type, 'text/xml; charset=utf-8');
  const formats = j.body.endpoints.flatMap((e) => e.formats);
  assert.ok(formats.includes(x.type), 'the XML Content-Type is listed as a format');
  assert.ok(formats.includes('text/xml') && formats.includes('application/json'));
  const d = xml(x.text);
  const eps = fields(d.body).endpoints.children;
  assert.equal(eps.length, j.body.endpoints.length);
  assert.ok(eps.every(([t]) => t === 'endpoint'));
});

test('coordinates print short; service_notice on read; repeated status; page and page_size', async () => {
  const r = await post('/requests.json', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'parking', lat: '31.208', long: '121.42', description: '精度' });
  assert.equal(r.status, 201, r.text);
  const id = r.body[0].service_request_id;
  const j = await get(`/requests/${id}.json`);
  assert.match(j.text, /"lat":31\.208[,}]/);
  assert.match(j.text, /"long":121\.42[,}]/);
  assert.ok(!/31\.20799/.test(j.text));
  assert.match(j.body[0].service_notice, /前办结/);
  const f = fields(xml((await get(`/requests/${id}.xml`)).text).body.children[0][1]);
  assert.equal(f.lat, '31.208');
  assert.equal(f.long, '121.42');
  const J = `jurisdiction_id=${COMMUNITY}`;
  const all = (await get(`/requests.json?${J}`)).body;
  const both = (await get(`/requests.json?${J}&status=open&status=closed`)).body;
  assert.equal(both.length, all.length);
  const closedOnly = (await get(`/requests.json?${J}&status=closed`)).body;
  const openOnly = (await get(`/requests.json?${J}&status=open`)).body;
  assert.ok(closedOnly.length > 0 && openOnly.length > 0);
  expectErr(await get(`/requests.json?${J}&status=open&status=pending`), 400);
  const p1 = (await get(`/requests.json?${J}&page_size=2`)).body;
  const p2 = (await get(`/requests.json?${J}&page_size=2&page=2`)).body;
  assert.equal(p1.length, 2);
  assert.equal(p2.length, 2);
  assert.deepEqual([...p1, ...p2].map((s) => s.service_request_id), all.slice(0, 4).map((s) => s.service_request_id));
  expectErr(await get(`/requests.json?${J}&page_size=0`), 400);
  expectErr(await get(`/requests.xml?${J}&page=x`), 400);
});

test('phone: +86 and separators accepted, other countries refused with a clear message', async () => {
  const base = { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'noise', address_id: String(building) };
  const ok = await post('/requests.json', { ...base, phone: '+86 137-0000-2222' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(sql(`SELECT contact_phone_masked FROM cases WHERE id = ${ok.body[0].service_request_id}`), '137****2222');
  const us = await post('/requests.json', { ...base, phone: '+1 (555) 010-9999' });
  expectErr(us, 400);
  assert.match(us.body[0].description, /中国大陆/);
  assert.match(us.body[0].description, /境外/);
  const junk = await post('/requests.json', { ...base, phone: '12345' });
  expectErr(junk, 400);
  assert.match(junk.body[0].description, /13712345678/);
});

function tinyPng() {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
}
async function postMultipart(p, fields, file) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append('media', new Blob([file.bytes], { type: file.type }), file.name);
  const r = await fetch(srv.url + BASE + p, { method: 'POST', body: fd });
  const type = r.headers.get('content-type');
  const text = await r.text();
  return { status: r.status, type, text, body: type.includes('json') ? JSON.parse(text) : null };
}

test('a multipart media photo is kept with the case (checked as /case-photos checks); media_url is kept and shown', async () => {
  const base = { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'sanitation', description: '垃圾堆', address_id: String(building) };
  const r = await postMultipart('/requests.json', { ...base, media_url: 'https://img.example.com/a.jpg' }, { bytes: tinyPng(), type: 'image/png', name: 'a.png' });
  assert.equal(r.status, 201, r.text);
  const id = r.body[0].service_request_id;
  const pid = sql(`SELECT id FROM case_photo WHERE case_id = ${id}`);
  assert.ok(Number(pid) > 0);
  const { token } = await srv.login('staff');
  const c = await srv.api('GET', `/api/v1/cases/${id}`, { token });
  assert.equal(c.status, 200);
  assert.equal(c.body.open311.media_url, 'https://img.example.com/a.jpg');
  const img = await fetch(`${srv.url}/api/v1/case-photos/${pid}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  const pub = await get(`/requests/${id}.json`);
  assert.equal(pub.body[0].media_url, 'https://img.example.com/a.jpg');
  assert.ok(!pub.text.includes('case-photos'), 'our photo is not public');
  const cases = sql('SELECT count(*) FROM cases');
  const photos = sql('SELECT count(*) FROM case_photo');
  expectErr(await postMultipart('/requests.json', base, { bytes: Buffer.from('just text'), type: 'image/png', name: 'x.png' }), 415);
  expectErr(await postMultipart('/requests.xml', base, { bytes: Buffer.alloc(5 * 1024 * 1024 + 1, 0xff), type: 'image/jpeg', name: 'big.jpg' }), 413);
  expectErr(await post('/requests.json', { ...base, media_url: 'ftp://x/y.jpg' }), 400);
  assert.equal(sql('SELECT count(*) FROM cases'), cases, 'nothing written');
  assert.equal(sql('SELECT count(*) FROM case_photo'), photos);
});

test('free-text address_string is kept for staff to place; lat/long from the building once placed', async () => {
  const r = await post('/requests.json', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'greenery', description: '树枝挡路', address_string: '小区东门旁的花坛' });
  assert.equal(r.status, 201, r.text);
  const id = r.body[0].service_request_id;
  let pub = (await get(`/requests/${id}.json`)).body[0];
  assert.equal(pub.address, '小区东门旁的花坛');
  assert.equal(pub.lat, null, 'no coordinates while it waits to be placed');
  const { token } = await srv.login('staff');
  const c = await srv.api('GET', `/api/v1/cases/${id}`, { token });
  assert.equal(c.body.open311.to_place, true);
  assert.equal(c.body.open311.address_string, '小区东门旁的花坛');
  const grid = (await srv.login('grid')).token;
  assert.equal((await srv.api('POST', `/api/v1/cases/${id}/place`, { token: grid, body: { building_id: building } })).status, 403);
  const far = Number(sql(`SELECT id FROM building WHERE community = '${OTHER}' LIMIT 1`));
  const bad = await srv.api('POST', `/api/v1/cases/${id}/place`, { token, body: { building_id: far } });
  assert.equal(bad.status, 422);
  assert.match(bad.body.error.message, /[\u4e00-\u9fff]/);
  assert.equal((await srv.api('POST', `/api/v1/cases/${id}/place`, { token, body: {} })).status, 422);
  sql(`UPDATE building SET lat = 31.2111, lon = 121.4322 WHERE id = ${building}`);
  const placed = await srv.api('POST', `/api/v1/cases/${id}/place`, { token, body: { building_id: building, unit: 1 } });
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  assert.equal(placed.body.building_id, building);
  assert.equal(placed.body.open311.to_place, false);
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'case.place' AND object_id = ${id}`), '1');
  pub = (await get(`/requests/${id}.json`)).body[0];
  assert.equal(pub.lat, 31.2111);
  assert.equal(pub.long, 121.4322);
  assert.equal((await srv.api('POST', `/api/v1/cases/${id}/place`, { token, body: { building_id: building } })).status, 409);
  // a case that came with a building is not waiting
  assert.equal((await srv.api('POST', `/api/v1/cases/${posted.service_request_id}/place`, { token, body: { building_id: building } })).status, 409);
});

test('email, device_id, account_id and attribute[...] are kept; the e-mail sealed', async () => {
  const r = await post('/requests.json', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'noise', address_id: String(building),
    email: 'li.si@example.com', device_id: 'dev-42', account_id: 'acct-7', 'attribute[floor]': '3', 'attribute[kinds][]': 'a' });
  assert.equal(r.status, 201, r.text);
  const id = r.body[0].service_request_id;
  assert.equal(sql(`SELECT email_masked || '|' || device_id || '|' || account_id || '|' || attributes FROM case_open311 WHERE case_id = ${id}`),
    'l***@example.com|dev-42|acct-7|{"floor":"3","kinds":["a"]}');
  assert.equal(sql(`SELECT count(*) FROM case_open311 WHERE instr(CAST(email_enc AS TEXT), 'li.si') > 0`), '0');
  const { token } = await srv.login('staff');
  const c = await srv.api('GET', `/api/v1/cases/${id}`, { token });
  assert.equal(c.body.open311.email, 'l***@example.com');
  assert.deepEqual(c.body.open311.attributes, { floor: '3', kinds: ['a'] });
  const pub = await get(`/requests/${id}.json`);
  assert.ok(!pub.text.includes('example.com') && !pub.text.includes('dev-42'));
  expectErr(await post('/requests.json', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'noise', address_id: String(building), email: 'not-an-address' }), 400);
  expectErr(await post('/requests.json', { api_key: key, jurisdiction_id: COMMUNITY, service_code: 'noise', address_id: String(building), 'attribute[]': 'x' }), 400);
});

test('servicerequestupdates: every step as an update, JSON and XML', async () => {
  const id = posted.service_request_id;
  const j = await get(`/servicerequestupdates.json?jurisdiction_id=${COMMUNITY}`);
  assert.equal(j.status, 200, j.text);
  const mine = j.body.filter((u) => u.service_request_id === id);
  assert.deepEqual(mine.map((u) => u.status), ['OPEN', 'ACTION_SCHEDULED', 'IN_PROGRESS', 'FIXED', 'CLOSED']);
  const last = mine[mine.length - 1];
  assert.deepEqual(Object.keys(last).sort(), ['description', 'media_url', 'service_request_id', 'status', 'update_id', 'updated_datetime']);
  assert.equal(last.description, '已清理');
  assert.match(last.updated_datetime, /\+08:00$/);
  const steps = Number(sql(`SELECT count(*) FROM case_step s JOIN cases c ON c.id = s.case_id WHERE c.community = '${COMMUNITY}' AND s.at >= ${Date.now() - 90 * 86400 * 1000}`));
  assert.equal(j.body.length, Math.min(steps, 1000));
  const x = xml((await get(`/servicerequestupdates.xml?jurisdiction_id=${COMMUNITY}&page_size=3`)).text);
  assert.equal(x.root, 'service_request_updates');
  assert.equal(x.body.children.length, 3);
  assert.equal(x.body.children[0][0], 'request_update');
  assert.ok(fields(x.body.children[0][1]).update_id);
  const future = new Date(Date.now() + 86400e3).toISOString();
  assert.deepEqual((await get(`/servicerequestupdates.json?jurisdiction_id=${COMMUNITY}&start_date=${encodeURIComponent(future)}`)).body, []);
  expectErr(await get('/servicerequestupdates.json'), 400);
  expectErr(await get('/servicerequestupdates.xml?jurisdiction_id=999999999999'), 404);
});
