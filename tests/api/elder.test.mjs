// 适老化 on the server: read-aloud audio for what a user may see (announcements,
// her own notices, assistant answers) as real Ogg Vorbis or WAV of the text's
// length, cached (X-Cache), refused for what she cannot see and for bad ids and
// formats; and the 长辈版 preference kept per account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';
import { expectError } from '../lib/check.mjs';

let srv, ann, farAnn;
const tok = {};
const uid = {};

const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body, opts = {}) => srv.api(method, p, { token: tok[who], body, ...opts });

const TEXT = '社区通知：本周六上午九点，居委会在二楼活动室开展义诊，请需要量血压、测血糖的居民带好医保卡。';

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

/* Seconds of audio in a WAV, checking its header is what we promise. */
function wavSeconds(b) {
  assert.equal(b.toString('latin1', 0, 4), 'RIFF');
  assert.equal(b.toString('latin1', 8, 16), 'WAVEfmt ');
  assert.equal(b.readUInt16LE(20), 1, 'PCM');
  assert.equal(b.readUInt16LE(22), 1, 'mono');
  const rate = b.readUInt32LE(24);
  assert.equal(b.readUInt16LE(34), 16, '16-bit');
  assert.equal(b.toString('latin1', 36, 40), 'data');
  const n = b.readUInt32LE(40);
  assert.equal(b.length, 44 + n, 'the data chunk fills the file');
  assert.equal(b.readUInt32LE(4), 36 + n);
  return n / 2 / rate;
}

/* Seconds of audio in an Ogg Vorbis stream: the last page's granule position over the rate. */
function oggSeconds(b) {
  assert.equal(b.toString('latin1', 0, 4), 'OggS');
  // the first page carries the Vorbis identification header
  const segs = b[26];
  const id = 27 + segs;
  assert.equal(b[id], 1);
  assert.equal(b.toString('latin1', id + 1, id + 7), 'vorbis');
  assert.equal(b[id + 11], 1, 'one channel');
  const rate = b.readUInt32LE(id + 12);
  // walk the pages: each must begin with OggS where the previous one ended
  let off = 0, granule = 0n, pages = 0;
  while (off < b.length) {
    assert.equal(b.toString('latin1', off, off + 4), 'OggS', `page at ${off}`);
    granule = b.readBigInt64LE(off + 6);
    const n = b[off + 26];
    let body = 0;
    for (let i = 0; i < n; i++) body += b[off + 27 + i];
    off += 27 + n + body;
    pages++;
  }
  assert.equal(off, b.length, 'the pages fill the file');
  assert.ok(b[b.lastIndexOf('OggS') + 5] & 4, 'the last page ends the stream');
  assert.ok(pages > 2);
  return Number(granule) / rate;
}

before(async () => {
  srv = await startServer({ demo: true, residents: 300 });
  for (const u of ['staff', 'resident', 'admin']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  let r = await api('POST', '/api/v1/announcements', 'staff', { scope: COMMUNITY, title: '义诊通知', body: TEXT });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ann = r.body.id;
  const other = sql(`SELECT code FROM division WHERE parent_code = '${STREET}' AND code <> '${COMMUNITY}' ORDER BY code LIMIT 1`);
  await addUser('farstaff', 'staff', other);
  r = await api('POST', '/api/v1/announcements', 'farstaff', { scope: other, title: '别的社区', body: '别的社区的通知。' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  farAnn = r.body.id;
});
after(async () => { await srv.stop(); });

test('an announcement is read aloud as Ogg Vorbis of the length of its text, then served from the cache', async () => {
  const t0 = performance.now();
  const a = await api('GET', `/api/v1/announcements/${ann}/audio`, 'resident');
  const first = performance.now() - t0;
  assert.equal(a.status, 200, String(a.body));
  assert.equal(a.headers.get('content-type'), 'audio/ogg');
  assert.equal(a.headers.get('x-cache'), 'miss');
  const s = oggSeconds(a.body);
  // about 50 characters at a slow pace: several seconds, not a click
  assert.ok(s > 4 && s < 60, `${s} s of audio`);
  assert.ok(a.body.length < s * 6000, `${a.body.length} bytes for ${s} s: compressed`);

  const t1 = performance.now();
  const b = await api('GET', `/api/v1/announcements/${ann}/audio`, 'resident');
  const second = performance.now() - t1;
  assert.equal(b.status, 200);
  assert.equal(b.headers.get('x-cache'), 'hit');
  assert.ok(a.body.equals(b.body), 'the same audio');
  assert.equal(Number(sql("SELECT count(*) FROM tts_audio WHERE mime = 'audio/ogg'")), 1);
  // staff of the community hear the same text: the cache is by text, not by user
  const c = await api('GET', `/api/v1/announcements/${ann}/audio`, 'staff');
  assert.equal(c.headers.get('x-cache'), 'hit');
  console.log(`# synthesis ${first.toFixed(0)} ms, cached ${second.toFixed(0)} ms, ${a.body.length} bytes, ${s.toFixed(1)} s`);
});

test('?format=wav gives 16-bit mono PCM of the same length; another format is refused', async () => {
  const o = await api('GET', `/api/v1/announcements/${ann}/audio`, 'resident');
  const w = await api('GET', `/api/v1/announcements/${ann}/audio?format=wav`, 'resident');
  assert.equal(w.status, 200);
  assert.equal(w.headers.get('content-type'), 'audio/wav');
  const ws = wavSeconds(w.body);
  assert.ok(Math.abs(ws - oggSeconds(o.body)) < 0.1, 'the same speech');
  assert.ok(w.body.length > 5 * o.body.length, `ogg ${o.body.length} B, wav ${w.body.length} B`);
  const again = await api('GET', `/api/v1/announcements/${ann}/audio?format=wav`, 'resident');
  assert.equal(again.headers.get('x-cache'), 'hit');
  expectError(await api('GET', `/api/v1/announcements/${ann}/audio?format=mp3`, 'resident'), 422, 'invalid_format', 'format');
});

test('what a user cannot see is 404, like a missing or malformed id; without a login 401', async () => {
  const before = sql('SELECT count(*) FROM tts_audio');
  expectError(await api('GET', `/api/v1/announcements/${farAnn}/audio`, 'resident'), 404, 'not_found', 'id');
  expectError(await api('GET', `/api/v1/announcements/${farAnn}/audio`, 'staff'), 404, 'not_found', 'id');
  for (const id of ['999999', '0', '-1', 'abc', '1e3', '99999999999999999999'])
    expectError(await api('GET', `/api/v1/announcements/${id}/audio`, 'resident'), 404, 'not_found', 'id');
  const w = await api('POST', `/api/v1/announcements/${farAnn}/withdraw`, 'farstaff');
  assert.equal(w.status, 200, JSON.stringify(w.body));
  const r = await srv.api('GET', `/api/v1/announcements/${ann}/audio`);
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'unauthorized');
  assert.equal(sql('SELECT count(*) FROM tts_audio'), before, 'nothing spoken');
});

test('a notice is read aloud to its owner only', async () => {
  const id = Number(sql(`SELECT id FROM notice WHERE user_id = ${uid.resident} ORDER BY id LIMIT 1`));
  assert.ok(id > 0, 'the demo resident has notices');
  const r = await api('GET', `/api/v1/notices/${id}/audio`, 'resident');
  assert.equal(r.status, 200, String(r.body));
  assert.ok(oggSeconds(r.body) > 1);
  expectError(await api('GET', `/api/v1/notices/${id}/audio`, 'staff'), 404, 'not_found', 'id');
  expectError(await api('GET', '/api/v1/notices/999999/audio', 'resident'), 404, 'not_found', 'id');
  expectError(await api('GET', '/api/v1/notices/x/audio', 'resident'), 404, 'not_found', 'id');
});

test('an assistant answer is read aloud by its entry; unknown entries are 404', async () => {
  const a = await api('POST', '/api/v1/assistant/ask', 'resident', { question: '低保怎么申请' });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.ok(a.body.answered && a.body.entry_id, JSON.stringify(a.body));
  const r = await api('GET', `/api/v1/assistant/answers/${encodeURIComponent(a.body.entry_id)}/audio?format=wav`, 'resident');
  assert.equal(r.status, 200, String(r.body));
  assert.ok(wavSeconds(r.body) > 2);
  expectError(await api('GET', '/api/v1/assistant/answers/NOPE999/audio', 'resident'), 404, 'not_found', 'id');
  expectError(await api('GET', `/api/v1/assistant/answers/${'K'.repeat(40)}/audio`, 'resident'), 404, 'not_found', 'id');
});

test('the cache stays bounded: the least recently used audio goes first', async () => {
  // fill the table past its bound with large fake rows, older than the real ones
  const big = 12 * 1024 * 1024;
  const blob = /^postgres/.test(srv.db) ? `decode(repeat('00', ${big}), 'hex')` : `zeroblob(${big})`;
  for (let i = 0; i < 3; i++)
    sql(`INSERT INTO tts_audio (key, mime, audio, bytes, duration_ms, created_at, used_at) VALUES ('old${i}', 'audio/ogg', ${blob}, ${big}, 1000, ${i}, ${i})`);
  // a new synthesis trims the table
  const id = Number(sql(`SELECT id FROM notice WHERE user_id = ${uid.resident} ORDER BY id DESC LIMIT 1`));
  const r = await api('GET', `/api/v1/notices/${id}/audio?format=wav`, 'resident');
  assert.equal(r.status, 200);
  const total = Number(sql('SELECT sum(bytes) FROM tts_audio'));
  assert.ok(total <= 32 * 1024 * 1024, `${total} bytes cached`);
  assert.equal(sql("SELECT key FROM tts_audio WHERE key LIKE 'old%' ORDER BY key").split('\n').join(','), 'old1,old2', 'the oldest went, as few as the bound needs');
  // the real audio, used recently, stays
  const a = await api('GET', `/api/v1/announcements/${ann}/audio`, 'resident');
  assert.equal(a.headers.get('x-cache'), 'hit');
});

test('长辈版 is a preference of the account: not chosen (null), set, seen in /me and from another session', async () => {
  let r = await api('GET', '/api/v1/account/preferences', 'resident');
  assert.deepEqual([r.status, r.body], [200, { elder_mode: null }]);
  r = await api('GET', '/api/v1/me', 'resident');
  assert.deepEqual(r.body.preferences, { elder_mode: null });
  r = await api('PUT', '/api/v1/account/preferences', 'resident', { elder_mode: true });
  assert.deepEqual([r.status, r.body], [200, { elder_mode: true }]);
  // a new session (another phone) sees it
  const other = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'resident', password: 'linli2026' } });
  r = await srv.api('GET', '/api/v1/me', { token: other.body.token });
  assert.deepEqual(r.body.preferences, { elder_mode: true });
  // another user's stays hers
  r = await api('GET', '/api/v1/me', 'staff');
  assert.deepEqual(r.body.preferences, { elder_mode: null });
  r = await api('PUT', '/api/v1/account/preferences', 'resident', { elder_mode: false });
  assert.deepEqual(r.body, { elder_mode: false });
  assert.equal(sql(`SELECT elder_mode FROM user_pref WHERE user_id = ${uid.resident}`), '0');
});

test('bad preference bodies are refused and change nothing', async () => {
  await api('PUT', '/api/v1/account/preferences', 'resident', { elder_mode: true });
  const cases = [
    [{}, 422, 'missing_field', 'elder_mode'],
    [{ elder_mode: 1 }, 422, 'invalid_type', 'elder_mode'],
    [{ elder_mode: 'yes' }, 422, 'invalid_type', 'elder_mode'],
    [{ elder_mode: null }, 422, 'invalid_type', 'elder_mode'],
    [{ elder_mode: false, font: 'big' }, 422, 'unknown_field', 'font'],
  ];
  for (const [body, status, code, field] of cases)
    expectError(await api('PUT', '/api/v1/account/preferences', 'resident', body), status, code, field);
  expectError(await api('PUT', '/api/v1/account/preferences', 'resident', undefined, { raw: '{"elder_mode":', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed_json');
  expectError(await api('PUT', '/api/v1/account/preferences', 'resident', undefined, { raw: '[]', headers: { 'Content-Type': 'application/json' } }), 400, 'expected_object');
  const r = await srv.api('PUT', '/api/v1/account/preferences', { body: { elder_mode: false } });
  assert.equal(r.status, 401);
  assert.equal(sql(`SELECT elder_mode FROM user_pref WHERE user_id = ${uid.resident}`), '1', 'unchanged');
});

test('30 syntheses per user in 10 minutes: the 31st is 429 with Retry-After; cached audio still plays', async () => {
  const ids = [];
  for (let i = 0; i < 31; i++) {
    const r = await api('POST', '/api/v1/announcements', 'staff', { scope: COMMUNITY, title: `短通知${i}`, body: `第${i}条。` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body.id);
  }
  for (let i = 0; i < 30; i++) {
    const r = await api('GET', `/api/v1/announcements/${ids[i]}/audio`, 'staff');
    assert.equal(r.status, 200, `synthesis ${i + 1}: ${r.status}`);
    assert.equal(r.headers.get('x-cache'), 'miss');
  }
  const n = sql('SELECT count(*) FROM tts_audio');
  const r = await api('GET', `/api/v1/announcements/${ids[30]}/audio`, 'staff');
  expectError(r, 429, 'too_many_requests');
  assert.equal(r.headers.get('retry-after'), '600');
  assert.equal(sql('SELECT count(*) FROM tts_audio'), n, 'nothing spoken');
  const hit = await api('GET', `/api/v1/announcements/${ids[0]}/audio`, 'staff');
  assert.equal(hit.status, 200);
  assert.equal(hit.headers.get('x-cache'), 'hit');
  // another user is not held back by her count
  const other = await api('GET', `/api/v1/announcements/${ids[30]}/audio`, 'resident');
  assert.equal(other.status, 200);
});

test('two long syntheses at once on a two-thread server: each spoken or refused with 503 tts_busy, and the server keeps answering', async () => {
  // long texts (cut at 1,200 characters) keep a synthesis going for a while. Whether the
  // two overlap depends on the machine, so this asserts what holds either way; the
  // refusal itself is tested in unit-tts (tts_synth with no room left is 503 tts_busy).
  const long = (c) => '请各位居民注意用电安全，不要在楼道里给电动自行车充电。'.repeat(60) + c;
  const ids = [];
  for (const c of ['甲', '乙']) {
    const r = await api('POST', '/api/v1/announcements', 'admin', { scope: COMMUNITY, title: `长通知${c}`, body: long(c).slice(0, 4900) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body.id);
  }
  const both = await Promise.all(ids.map((id) => api('GET', `/api/v1/announcements/${id}/audio?format=wav`, 'admin')));
  for (const r of both) {
    if (r.status === 503) expectError(r, 503, 'tts_busy');
    else assert.equal(r.status, 200);
  }
  const spoken = both.filter((r) => r.status === 200);
  assert.ok(spoken.length >= 1, 'at least one is spoken');
  // the spoken one is the cut text: 1,200 characters at most, so a bounded length
  for (const r of spoken) {
    const s = wavSeconds(r.body);
    assert.ok(s > 60 && s <= 600, `${s} s`);
  }
  // the server kept answering
  assert.equal((await srv.api('GET', '/api/v1/health')).status, 200);
});
