import { startLinli, launchBrowser, consoleLogin, newPage } from './helpers.mjs';
const srv = await startLinli();
const browser = await launchBrowser();
const who = process.argv[2] || 'staff';
const pages = process.argv.slice(3);
try {
  const page = await newPage(browser);
  await consoleLogin(page, srv.url, who);
  for (const p of pages) {
    await page.goto(`${srv.url}/console/#/${p}`);
    await page.waitForTimeout(2500);
    await page.screenshot({ path: `/tmp/shots/c_${who}_${p.replace(/\//g, '_')}.png`, fullPage: true });
  }
} finally { await browser.close(); await srv.stop(); }
