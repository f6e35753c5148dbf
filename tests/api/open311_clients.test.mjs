// Open311 against a real third-party client: Code for America's Python `three`
// 0.8.0 with its XML reader relaxml (MIT), read from ../shared/open311-clients
// beside the checkout (third-party code is not committed; the tests that need it
// are skipped, saying so, where it is absent), run by Debian's Python 3 with python3-requests
// and python3-simplejson (scripts/deps.sh). Each call is the library's own:
// Three(...).discovery/services/requests/request/post/token, in JSON and in
// XML; `post` sends api_key in the form body and a photo as multipart `media`.
// The `open311` library's habit of sending api_key and jurisdiction_id in the
// query string is copied call for call at the end (that client is not
// installable: it depends on a git URL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';
import { png } from '../lib/check.mjs';

const VENDOR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'open311-clients');
const NO_CLIENT = !existsSync(path.join(VENDOR, 'three', 'three')) && 'no ../shared/open311-clients';
let srv, key, building, buildingName, dir;
const sql = (q) => dbSql(srv.db, q).trim();

/* Runs @body (Python, with `t` a Three for @format) and returns what it prints as JSON. */
function three(format, body) {
  const py = `
import sys, json
sys.path[:0] = [${JSON.stringify(path.join(VENDOR, 'three'))}, ${JSON.stringify(path.join(VENDOR, 'relaxml'))}]
from three import Three
t = Three(${JSON.stringify(srv.url + '/open311/v2')}, api_key=${JSON.stringify(key)}, jurisdiction=${JSON.stringify(COMMUNITY)}, format=${JSON.stringify(format)})
out = {}
${body}
print(json.dumps(out, ensure_ascii=False, default=str))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', env: { ...process.env, OPEN311_API_KEY: '' } }));
}

before(async () => {
  srv = await startServer({ demo: true, residents: 100 });
  key = srv.linli(['open311', 'key', '--db', srv.db, '--community', COMMUNITY]).trim();
  building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
  buildingName = sql(`SELECT name FROM building WHERE id = ${building}`);
  sql(`UPDATE building SET lat = 31.2105, lon = 121.4301 WHERE id = ${building}`);
  dir = mkdtempSync(path.join(tmpdir(), 'linli-three-'));
  writeFileSync(path.join(dir, 'photo.png'), png(64, 48));
  writeFileSync(path.join(dir, 'note.txt'), 'not a photo');
});
after(async () => { await srv.stop(); });

test('three (JSON): discovery, services, post with a photo, request, token, requests', { skip: NO_CLIENT }, () => {
  const photo = path.join(dir, 'photo.png');
  const r = three('json', `
out['discovery'] = t.discovery()
out['services'] = t.services()
out['service'] = t.services('noise')
posted = t.post('corridor_clutter', address=${JSON.stringify(buildingName)}, description='楼道里堆了纸箱', name='San Zhang', phone='+86 137 0000 3333', email='zs@example.com', media=open(${JSON.stringify(photo)}, 'rb'))
out['post_status'] = t.post_response.status_code
out['posted'] = posted
sid = str(posted[0]['service_request_id'])
out['request'] = t.request(sid)
out['token'] = t.token(posted[0]['token'])
out['open'] = t.requests(status='open')
out['few'] = t.requests(count=2)
out['text_only'] = t.post('sanitation', address='菜场对面的垃圾房', description='垃圾满了')
`);
  assert.ok(r.discovery.endpoints.length >= 2);
  assert.equal(r.services.length, 12);
  assert.deepEqual(r.service, { service_code: 'noise', attributes: [] });
  assert.equal(r.post_status, 201, JSON.stringify(r.posted));
  const id = r.posted[0].service_request_id;
  assert.equal(sql(`SELECT building_id FROM cases WHERE id = ${id}`), String(building));
  assert.equal(sql(`SELECT count(*) FROM case_photo WHERE case_id = ${id} AND uploader_id IS NULL AND mime = 'image/png'`), '1');
  assert.equal(sql(`SELECT contact_name || '|' || contact_phone_masked FROM cases WHERE id = ${id}`), 'ZhangSan|137****3333');
  assert.equal(sql(`SELECT email_masked FROM case_open311 WHERE case_id = ${id}`), 'z***@example.com');
  const one = r.request[0];
  assert.equal(one.service_request_id, id);
  assert.equal(one.lat, 31.2105, 'the building\'s point');
  assert.equal(one.long, 121.4301);
  assert.deepEqual(r.token, [{ service_request_id: id, token: r.posted[0].token }]);
  assert.ok(r.open.some((s) => s.service_request_id === id));
  assert.ok(r.open.every((s) => s.status === 'open'));
  assert.equal(r.few.length, 2, 'count= becomes page_size');
  const text = r.text_only[0].service_request_id;
  assert.ok(text > id);
  assert.equal(sql(`SELECT to_place || '|' || address_string FROM case_open311 WHERE case_id = ${text}`), '1|菜场对面的垃圾房');
});

test('three (XML): the same calls read through its XML reader', { skip: NO_CLIENT }, () => {
  const r = three('xml', `
out['services'] = t.services()
out['open'] = t.requests(status='open')
out['missing'] = t.request('99999999')
out['bad'] = t.post('noise', address=${JSON.stringify(buildingName)}, media=open(${JSON.stringify(path.join(dir, 'note.txt'))}, 'rb'))
out['bad_status'] = t.post_response.status_code
`);
  // relaxml: <services><service>… → {'service': [...]}
  assert.equal(r.services.service.length, 12);
  assert.ok(r.open.request.length > 0);
  assert.equal(r.missing.error.code, '404');
  assert.equal(r.bad_status, 415);
  assert.match(r.bad.error.description, /JPEG|PNG|图片/);
});

test('the open311 library\'s way: api_key and jurisdiction_id in the query string', async () => {
  const q = new URLSearchParams({ api_key: key, jurisdiction_id: COMMUNITY });
  const r = await fetch(`${srv.url}/open311/v2/requests.json?${q}`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ service_code: 'noise', address_string: buildingName, description: '查询串' }).toString(),
  });
  assert.equal(r.status, 201);
  const [{ service_request_id: id }] = await r.json();
  assert.equal(sql(`SELECT source FROM cases WHERE id = ${id}`), 'open311');
});
