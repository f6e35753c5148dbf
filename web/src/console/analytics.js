/*
 * 社区分析 (issue 20) in the console: who reads it, the scopes she may pick,
 * numbers with their units, and the console page behind a number's list
 * (the API's {"route","query"} of GET /analytics/communities/{code}/portrait).
 */
import { session, setCommunity, routeAllowed } from './session.js';

/* A value in its unit: shares as %, per 1,000 as ‰, counts as they are; null is a dash. */
export function fmt(v, unit) {
  if (v === null || v === undefined) return '—';
  if (unit === '%' || unit === '‰') return Number(v).toFixed(1) + unit;
  return String(v);
}

export function pct(v) {
  return v === null || v === undefined ? '—' : Number(v).toFixed(1) + '%';
}

/*
 * The scopes the user may pick: everything (the admin), her districts and
 * streets (from the communities she sees), or her own community. The first
 * is the widest.
 */
export function scopeOptions() {
  const own = session.user?.scope || '';
  const out = [];
  const seen = new Set();
  const add = (code, label) => {
    if (seen.has(code) || !code.startsWith(own)) return;
    seen.add(code);
    out.push({ code, label });
  };
  if (own === '') add('', '全部社区');
  const counties = new Set(session.communities.map((c) => c.code.slice(0, 6)));
  if (counties.size > 1 || own.length <= 6) {
    for (const c of session.communities) add(c.code.slice(0, 6), c.county_name || c.code.slice(0, 6));
  }
  for (const c of session.communities) add(c.street_code || c.code.slice(0, 9), c.street_name || c.code.slice(0, 9));
  if (own.length === 12) {
    const c = session.communities.find((x) => x.code === own) || session.community;
    add(own, c ? c.name : own);
  }
  return out;
}

/* what a scope is called in a sentence: 全街道 / 全区 / 全市 */
export function scopeWord(code) {
  return { 0: '全部', 2: '全市', 4: '全市', 6: '全区', 9: '全街道', 12: '本社区' }[(code || '').length] || '全部';
}

/*
 * The console page for an API list ({route, query}), or null when the
 * console has none (or not for this user). A list with a community opens
 * it in that community (the list pages show session.code).
 */
export function listTarget(list, router) {
  if (!list || !list.route) return null;
  const q = list.query || {};
  const path = list.route.replace(/^\/api\/v1/, '');
  let to = null;
  const m = /^\/residents\/(\d+)$/.exec(path);
  if (m) to = { name: 'residents', query: { id: m[1] } };
  else if (path === '/residents') {
    const query = {};
    for (const k of ['tag', 'key_population', 'living_alone']) if (q[k]) query[k] = q[k];
    to = { name: 'residents', query };
  }
  else if (path === '/households' || path === '/buildings') to = { name: 'buildings' };
  else if (path === '/cases') to = { name: 'cases', query: q.category ? { category: q.category } : {} };
  else if (path === '/assistant/unanswered') to = { name: 'unanswered' };
  else if (path === '/bookings') to = { name: 'room-calendar' };
  else if (path === '/rooms') to = { name: 'rooms' };
  else if (path === '/volunteers') to = { name: 'volunteers' };
  else if (path === '/users') to = { name: 'users' };
  if (!to) return null;
  const r = router.resolve(to);
  if (!r.name || !routeAllowed(r)) return null;
  return { to, community: q.community || '' };
}

/* Opens @target (from listTarget) in its community. */
export function openTarget(target, router) {
  if (!target) return;
  if (target.community && target.community !== session.code) setCommunity(target.community);
  router.push(target.to);
}
