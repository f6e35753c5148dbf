/*
 * A fake SMS gateway for the tests: an HTTP server on loopback that takes
 * linli's webhook POSTs ({"phone","text"}) and keeps them, so a test reads
 * the verification code as the resident would from her phone.
 *
 *   const sms = await fakeSms();          // sms.url for sms_webhook_url
 *   sms.codeOf('13900001111');            // the latest code sent there
 *   sms.fail = true;                      // the gateway answers 500
 *   sms.close();
 */
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function fakeSms() {
  const sms = { texts: [], fail: false, secret: null };
  sms.server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      sms.secret = req.headers['x-linli-secret'] ?? null;
      if (sms.fail) { res.writeHead(500); res.end('down'); return; }
      sms.texts.push(JSON.parse(body));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  sms.codeOf = (phone) => {
    const t = [...sms.texts].reverse().find((m) => m.phone === phone);
    if (!t) throw new Error(`no SMS to ${phone}`);
    return t.text.match(/(\d{6})/)[1];
  };
  sms.close = () => sms.server.close();
  return new Promise((resolve) => sms.server.listen(0, '127.0.0.1', () => {
    sms.url = `http://127.0.0.1:${sms.server.address().port}/sms`;
    resolve(sms);
  }));
}

/* A config file for `linli serve --config` with @lines after the gateway's URL. */
export function smsConfig(sms, lines = '') {
  const conf = path.join(mkdtempSync(path.join(tmpdir(), 'linli-sms-')), 'linli.conf');
  writeFileSync(conf, `sms_webhook_url = ${sms.url}\n${lines}`);
  return conf;
}
