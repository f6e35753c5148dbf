/*
 * Several `linli serve` processes on one database (issue 13): what one
 * server writes, another reads at once; a session made on one is good on
 * the other. On SQLite the processes share the file; with LINLI_TEST_PG=1
 * they share one PostgreSQL database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveAgain, startServer } from '../lib/server.mjs';

let a;
let b;

before(async () => {
  a = await startServer({ demo: true, residents: 300 });
  b = await serveAgain(a);
});

after(async () => {
  await b?.stop();
  await a?.stop();
});

describe('two servers, one database', () => {
  test('a session signed in on one server is good on the other, and signing out ends it on both', async () => {
    const { token } = await a.login('staff');
    assert.equal((await b.api('GET', '/api/v1/me', { token })).status, 200);
    assert.equal((await b.api('POST', '/api/v1/auth/logout', { token })).status, 200);
    assert.equal((await a.api('GET', '/api/v1/me', { token })).status, 401);
  });

  test('a resident written on one server is found on the other at once', async () => {
    const { token } = await a.login('admin');
    const before = await b.api('GET', '/api/v1/residents?q=' + encodeURIComponent('甄一鸣'), { token });
    assert.equal(before.status, 200);
    assert.equal(before.body.total, 0);
    const list = await a.api('GET', '/api/v1/residents?per_page=1', { token });
    const household = list.body.items[0].household_id;
    const made = await a.api('POST', '/api/v1/residents', {
      token, body: { name: '甄一鸣', gender: 'male', birth_date: '1961-03-02', household_id: household, relation: 'other' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const after = await b.api('GET', '/api/v1/residents?q=' + encodeURIComponent('甄一鸣'), { token });
    assert.equal(after.body.total, 1, 'the other server does not answer from a stale cache');
    assert.equal(after.body.items[0].id, made.body.id);
  });
});
