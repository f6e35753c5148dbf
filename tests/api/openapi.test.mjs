// The OpenAPI document describes exactly the routes the server answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, linli } from '../lib/server.mjs';

let srv, doc;
before(async () => {
  srv = await startServer();
  const r = await srv.api('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  doc = r.body;
});
after(async () => { await srv.stop(); });

const routes = () => linli(['routes']).trim().split('\n').map((l) => {
  const [method, pattern] = l.split(' ');
  return { method: method.toLowerCase(), pattern };
});

test('the document is OpenAPI 3 with schemas that resolve', () => {
  assert.match(doc.openapi, /^3\./);
  const text = JSON.stringify(doc);
  for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g))
    assert.ok(doc.components.schemas[m[1]], `missing schema ${m[1]}`);
});

test('every route is documented', () => {
  for (const { method, pattern } of routes()) {
    assert.ok(doc.paths[pattern], `undocumented path ${pattern}`);
    assert.ok(doc.paths[pattern][method], `undocumented ${method.toUpperCase()} ${pattern}`);
  }
});

test('every documented operation exists', () => {
  const have = new Set(routes().map((r) => `${r.method} ${r.pattern}`));
  for (const [p, ops] of Object.entries(doc.paths))
    for (const method of Object.keys(ops))
      assert.ok(have.has(`${method} ${p}`), `documented but not served: ${method.toUpperCase()} ${p}`);
});

test('path parameters are declared', () => {
  for (const [p, ops] of Object.entries(doc.paths)) {
    const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const op of Object.values(ops))
      for (const n of names)
        assert.ok((op.parameters || []).some((x) => x.in === 'path' && x.name === n), `${p}: {${n}}`);
  }
});

test('the error schema matches what the server sends', async () => {
  const r = await srv.api('GET', '/api/v1/me');
  assert.equal(r.status, 401);
  const schema = doc.components.schemas.Error.properties.error;
  assert.deepEqual(Object.keys(r.body.error).sort(), [...schema.required].sort());
});
