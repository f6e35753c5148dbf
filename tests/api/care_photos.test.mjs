// Visit photos (issue 15): up to three a visit, kept as case photos are
// (core/photo: type by content, size-limited, files beside the database).
// A helper uploads them for a person she is paired with and names them in
// the visit; the visit takes them in its transaction or not at all. Only
// those who may see the person's page fetch them, every fetch audited as a
// view of her page is; a photo no visit took is deleted a day later.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';
import { expectError, png } from '../lib/check.mjs';

const OTHER = '310105004001'; // 番禺居委会, same street
const HOUR = 3600000;
const checklistOk = { body: 'ok', mind: 'ok', safety: 'ok', utilities: 'ok', needs: 'ok' };

let srv, person, confDir;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
const upload = (who, bytes, id = person) =>
  srv.api('POST', `/api/v1/care/people/${id}/photos`, { token: tok[who], raw: bytes, headers: { 'Content-Type': 'image/png' } });
const visit = (who, extra) => api('POST', `/api/v1/care/people/${person}/visits`, who,
  { visited_at: new Date().toISOString(), mode: 'in_person', checklist: checklistOk, ...extra });
const onDisk = (file) => existsSync(`${srv.files}/care/${file}`);
const fileOf = (id) => sql(`SELECT file FROM care_photo WHERE id = ${id}`);

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  tok[name] = (await srv.login(name)).token;
}

async function photo(who = 'volunteer', w = 2) {
  const r = await upload(who, png(w, 2));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  /* the sweep thread every 200 ms: it purges orphans too */
  confDir = mkdtempSync(path.join(tmpdir(), 'linli-care-photos-'));
  writeFileSync(path.join(confDir, 'linli.conf'), 'cases_sweep_ms = 200\n');
  srv = await startServer({ demo: true, residents: 300, extraArgs: ['--config', path.join(confDir, 'linli.conf')] });
  for (const u of ['street', 'staff', 'volunteer', 'elder']) tok[u] = (await srv.login(u)).token;
  await addUser('grid2', 'grid_worker', COMMUNITY);
  await addUser('farstaff', 'staff', OTHER);
  const mine = await api('GET', '/api/v1/care/mine', 'volunteer');
  assert.ok(mine.body.pairs.length > 0, 'the demo volunteer has pairs');
  person = mine.body.pairs[0].care_id;
});

after(async () => {
  await srv.stop();
  rmSync(confDir, { recursive: true, force: true });
});

async function until(fn, what) {
  const end = Date.now() + 15000;
  while (!fn()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('uploads: paired helpers and staff only; checked by content and size, naming the field', async () => {
  const n0 = count('SELECT count(*) FROM care_photo');
  expectError(await upload('volunteer', Buffer.from('plain text, not a photo')), 415, 'not_an_image', 'photo');
  expectError(await upload('volunteer', Buffer.concat([png(), Buffer.alloc(5 * 1024 * 1024)])), 413, 'photo_too_large');
  expectError(await upload('volunteer', Buffer.alloc(0)), 422, 'empty_photo', 'photo');
  expectError(await upload('grid2', png()), 403, 'not_paired', 'id');
  assert.equal((await upload('street', png())).status, 403, 'a street admin only reads');
  assert.equal((await upload('farstaff', png())).status, 404);
  assert.equal((await upload('elder', png())).status, 403, 'a resident who is not paired with her');
  assert.equal(count('SELECT count(*) FROM care_photo'), n0, 'no row written');
  const p = await photo();
  assert.equal(p.mime, 'image/png');
  assert.equal(p.care_id, person);
  assert.match(fileOf(p.id), /^[0-9a-f]{32}\.png$/);
  assert.ok(onDisk(fileOf(p.id)), 'stored beside the database');
  assert.equal((await upload('staff', png())).status, 201, 'her community\'s staff may add photos too');
});

test('a visit takes up to three of its helper\'s photos, or none at all', async () => {
  const [a, b, c, d] = [await photo(), await photo(), await photo(), await photo()];
  const v0 = count('SELECT count(*) FROM care_visit');
  expectError(await visit('volunteer', { photos: [a.id, b.id, c.id, d.id] }), 422, 'too_many_photos', 'photos');
  expectError(await visit('volunteer', { photos: [a.id, a.id] }), 422, 'duplicate_photo', 'photos[1]');
  expectError(await visit('volunteer', { photos: ['x'] }), 422, 'invalid_type', 'photos[0]');
  const staffs = await photo('staff');
  expectError(await visit('volunteer', { photos: [a.id, staffs.id] }), 422, 'unknown_photo', 'photos[1]');
  expectError(await visit('volunteer', { photos: [a.id, 987654] }), 422, 'unknown_photo', 'photos[1]');
  assert.equal(count('SELECT count(*) FROM care_visit'), v0, 'no visit written');
  assert.equal(count(`SELECT count(*) FROM care_photo WHERE id = ${a.id} AND visit_id IS NULL`), 1, 'not half attached');

  const r = await visit('volunteer', { photos: [a.id, b.id, c.id], notes: '三张照片' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(count(`SELECT count(*) FROM care_photo WHERE visit_id = ${r.body.id}`), 3);
  expectError(await visit('volunteer', { photos: [a.id] }), 422, 'unknown_photo', 'photos[0]');
  const page = await api('GET', `/api/v1/care/people/${person}`, 'volunteer');
  const v = page.body.visits.find((x) => x.id === r.body.id);
  assert.deepEqual(v.photos.map((x) => x.id), [a.id, b.id, c.id]);
  assert.equal(v.photos[0].url, `/api/v1/care/photos/${a.id}`);
  assert.ok(page.body.visits.every((x) => Array.isArray(x.photos)), 'every visit lists its photos');
});

test('a photo is served only to those who see her page, and every fetch is audited', async () => {
  const p = await photo();
  // before a visit takes it only its uploader sees it
  assert.equal((await srv.api('GET', p.url, { token: tok.staff })).status, 404);
  assert.equal((await srv.api('GET', p.url, { token: tok.volunteer })).status, 200);
  const r = await visit('volunteer', { photos: [p.id] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const audits = () => count(`SELECT count(*) FROM audit WHERE action = 'care.photo_view' AND object_id = ${person}`);
  const a0 = audits();
  for (const who of ['volunteer', 'staff', 'street']) {
    const got = await srv.api('GET', p.url, { token: tok[who] });
    assert.equal(got.status, 200, who);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(got.body), png(2, 2));
  }
  assert.equal(audits(), a0 + 3, 'each fetch audited');
  // care data is sealed at rest: the file is not the picture, and is longer by the nonce and tag
  const stored = readFileSync(`${srv.files}/care/${fileOf(p.id)}`);
  assert.notDeepEqual(stored.subarray(0, 8), png(2, 2).subarray(0, 8), 'no PNG signature on disk');
  assert.equal(stored.length, png(2, 2).length + 40);
  for (const who of ['grid2', 'farstaff', 'elder']) assert.equal((await srv.api('GET', p.url, { token: tok[who] })).status, 404, who);
  assert.equal((await srv.api('GET', p.url)).status, 401);
  assert.equal(audits(), a0 + 3, 'refusals are not views');
  assert.equal((await srv.api('GET', '/api/v1/care/photos/987654', { token: tok.staff })).status, 404);
});

test('photos no visit took are deleted a day after upload by the sweep thread, file and row; others stay', async () => {
  const old = await photo(), young = await photo(), used = await photo();
  assert.equal((await visit('volunteer', { photos: [used.id] })).status, 201);
  const files = Object.fromEntries([old, young, used].map((p) => [p.id, fileOf(p.id)]));
  const age = (p, hours) => sql(`UPDATE care_photo SET created_at = ${Date.now() - hours * HOUR} WHERE id = ${p.id}`);
  age(old, 25); age(young, 23); age(used, 25);
  await until(() => count(`SELECT count(*) FROM care_photo WHERE id = ${old.id}`) === 0, 'the sweep thread to purge the orphan');
  assert.equal(count(`SELECT count(*) FROM care_photo WHERE id = ${old.id}`), 0, 'the row is gone');
  assert.equal(onDisk(files[old.id]), false, 'the file is gone');
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'care_photo.purge' AND object_id = ${old.id}`), 1, 'audited');
  for (const p of [young, used]) {
    assert.equal(fileOf(p.id), files[p.id]);
    assert.ok(onDisk(files[p.id]));
  }
  expectError(await visit('volunteer', { photos: [young.id, old.id] }), 422, 'unknown_photo', 'photos[1]');
});
