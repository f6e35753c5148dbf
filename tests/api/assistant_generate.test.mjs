// Optional generation: with an OpenAI-compatible chat endpoint configured,
// the answer is phrased by it from the retrieved entry and still cites the
// entry; any failure (slow, 500, garbage, an empty reply) falls back to the
// retrieved answer. The endpoint is a small node http server of this test,
// whose behaviour each test sets, and which records what linli sent.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, linli, dbSql } from '../lib/server.mjs';

const TIMEOUT_MS = 800;
const ENTRY = {
  id: 'G001',
  section: '便民服务',
  question: '社区活动室的钥匙在哪里领取？',
  answer: '活动室钥匙在居委会一楼值班室领取，领取时登记姓名和房号，用完当天归还。',
};
const UNKNOWN = '这个问题我还不会，已转给社区工作人员';

let llm, llmUrl, srv, resident, confDir;
let mode = 'good';     // how the fake endpoint replies
let received = [];     // {method, url, headers, body} of each request it got

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const completion = (content) => ({
  id: 'chatcmpl-1', object: 'chat.completion', model: 'test-model',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
});

before(async () => {
  llm = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => { data += d; });
    req.on('end', () => {
      let body = null;
      try { body = JSON.parse(data); } catch { /* recorded as null */ }
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      switch (mode) {
        case 'good': return reply(res, 200, completion('  您好！活动室钥匙请到居委会一楼值班室领，登记姓名和房号，当天用完还回去就行。\n'));
        case 'slow': return setTimeout(() => reply(res, 200, completion('太迟了')), 3 * TIMEOUT_MS);
        case 'error': return reply(res, 500, { error: { message: 'model overloaded' } });
        case 'garbage': return reply(res, 200, '{"choices": [ {"message": ');
        case 'no-content': return reply(res, 200, { choices: [] });
        case 'empty': return reply(res, 200, completion(' \n '));
        default: return reply(res, 404, {});
      }
    });
  });
  await new Promise((r) => llm.listen(0, '127.0.0.1', r));
  llmUrl = `http://127.0.0.1:${llm.address().port}/v1/`;

  confDir = mkdtempSync(path.join(tmpdir(), 'linli-gen-'));
  const conf = path.join(confDir, 'linli.conf');
  writeFileSync(conf, `# generation on\nllm_url = ${llmUrl}\nllm_model = test-model\n` +
    `llm_api_key = sk-test-123\nllm_timeout_ms = ${TIMEOUT_MS}\n`);
  srv = await startServer({ demo: true, residents: 50, extraArgs: ['--config', conf] });
  const file = path.join(srv.dir, 'kb.jsonl');
  writeFileSync(file, JSON.stringify(ENTRY) + '\n');
  assert.match(linli(['kb', 'import', '--db', srv.db, file]), /imported 1 of 1/);
  resident = (await srv.login('resident')).token;
});

after(async () => {
  await srv.stop();
  llm.closeAllConnections();
  await new Promise((r) => llm.close(r));
  rmSync(confDir, { recursive: true, force: true });
});

beforeEach(() => { received = []; mode = 'good'; });

const ask = (question) => srv.api('POST', '/api/v1/assistant/ask', { token: resident, body: { question } });
const entryAnswer = () => dbSql(srv.db, `SELECT answer FROM kb_entry WHERE id = '${ENTRY.id}'`).trim();

test('a good reply is the answer, marked generated, and cites the retrieved entry', async () => {
  const r = await ask('活动室钥匙去哪拿');
  assert.equal(r.status, 200);
  assert.equal(r.body.answered, true);
  assert.equal(r.body.entry_id, ENTRY.id);
  assert.equal(r.body.generated, true);
  assert.equal(r.body.answer, '您好！活动室钥匙请到居委会一楼值班室领，登记姓名和房号，当天用完还回去就行。');
  assert.equal(r.body.entry_question, ENTRY.question);

  assert.equal(received.length, 1);
  const q = received[0];
  assert.equal(q.method, 'POST');
  assert.equal(q.url, '/v1/chat/completions');
  assert.equal(q.headers.authorization, 'Bearer sk-test-123');
  assert.match(q.headers['content-type'], /application\/json/);
  assert.equal(q.body.model, 'test-model');
  assert.equal(q.body.stream, false);
  const [system, user] = q.body.messages;
  assert.equal(system.role, 'system');
  assert.match(system.content, /只能依据/);
  assert.equal(user.role, 'user');
  assert.ok(user.content.includes(entryAnswer()), user.content);
  assert.ok(user.content.includes(ENTRY.question));
  assert.ok(user.content.includes('活动室钥匙去哪拿'));
  assert.equal(q.body.messages.length, 2);
});

for (const [name, m] of [
  ['a status 500', 'error'],
  ['garbage JSON', 'garbage'],
  ['a reply without choices', 'no-content'],
  ['an empty reply', 'empty'],
]) {
  test(`${name} falls back to the retrieved answer`, async () => {
    mode = m;
    const r = await ask('活动室钥匙去哪拿');
    assert.equal(r.status, 200);
    assert.equal(received.length, 1, 'the endpoint was asked');
    assert.equal(r.body.answered, true);
    assert.equal(r.body.entry_id, ENTRY.id);
    assert.equal(r.body.generated, false);
    assert.equal(r.body.answer, entryAnswer());
    assert.match(srv.stderr(), /assistant generation failed/);
  });
}

test('a slow endpoint falls back after the timeout, without holding the answer longer', async () => {
  mode = 'slow';
  const t0 = Date.now();
  const r = await ask('活动室钥匙去哪拿');
  const ms = Date.now() - t0;
  assert.equal(r.status, 200);
  assert.equal(r.body.generated, false);
  assert.equal(r.body.answer, entryAnswer());
  assert.equal(r.body.entry_id, ENTRY.id);
  assert.ok(ms >= TIMEOUT_MS * 0.9, `answered in ${ms} ms, before the timeout`);
  assert.ok(ms < TIMEOUT_MS + 1500, `answered in ${ms} ms`);
  // the server keeps answering while the endpoint is still busy
  mode = 'good';
  const again = await ask('活动室钥匙去哪拿');
  assert.equal(again.body.generated, true);
});

test('an endpoint that is down falls back too', async () => {
  const port = llm.address().port;
  await new Promise((r) => { llm.closeAllConnections(); llm.close(r); });
  try {
    const r = await ask('活动室钥匙去哪拿');
    assert.equal(r.status, 200);
    assert.equal(r.body.generated, false);
    assert.equal(r.body.answer, entryAnswer());
  } finally {
    await new Promise((r) => llm.listen(port, '127.0.0.1', r));
  }
});

test('what it cannot answer is not sent to the endpoint', async () => {
  const r = await ask('明天会下雨吗');
  assert.equal(r.status, 200);
  assert.equal(r.body.answered, false);
  assert.equal(r.body.generated, false);
  assert.equal(r.body.answer, UNKNOWN);
  assert.equal(received.length, 0);
});

test('a bad generation setting stops the server from starting', () => {
  const conf = path.join(srv.dir, 'bad.conf');
  writeFileSync(conf, 'llm_url = ftp://example.org/v1\n');
  assert.throws(() => linli(['serve', '--db', srv.db, '--config', conf, '--listen', '127.0.0.1:1']),
    /llm_url/);
  assert.throws(() => linli(['serve', '--db', srv.db, '--listen', '127.0.0.1:1'],
    { env: { ...process.env, LINLI_LLM_TIMEOUT_MS: 'soon' } }), /LINLI_LLM_TIMEOUT_MS/);
});
