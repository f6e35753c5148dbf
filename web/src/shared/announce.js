/* Announcements (通知公告): labels and small helpers shared by the console and the H5. */

export const ANNOUNCE_STATES = { active: '发布中', ended: '已截止', withdrawn: '已撤回' };

/* "2026-12-06T09:30:00+08:00" -> "12月6日 09:30" (Beijing time as sent) */
export function shortTime(t) {
  if (!t) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(t);
  if (!m) return t;
  return `${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`;
}

export function dateText(t) {
  if (!t) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : t;
}

/* "已读 312 / 962 户" and the share, for staff */
export function receiptText(a) {
  return `已读 ${a.read_households ?? 0} / ${a.households ?? 0} 户`;
}
export function receiptPercent(a) {
  return a.households ? Math.round((100 * (a.read_households || 0)) / a.households) : 0;
}

/* The first line of the body, for a list. */
export function excerpt(body, n = 60) {
  const s = (body || '').replace(/\s+/g, ' ').trim();
  return s.length > n ? s.slice(0, n) + '…' : s;
}
