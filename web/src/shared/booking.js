/*
 * Function rooms (功能室) helpers shared by the console and the H5: slot maths
 * on the availability grid, RFC 3339 times in a room's offset, labels.
 *
 * GET /rooms/{id}/availability answers one string per day, one character per
 * slot of slot_minutes from local midnight:
 *   F free · M mine · T taken · P awaiting approval · B blackout · C closed ·
 *   X past · H beyond the booking horizon.
 */

export const MIN = 60000;
export const DAY = 86400000;

export const SLOT_LABELS = {
  F: '可约',
  M: '我的',
  T: '已约',
  P: '待审',
  B: '暂停',
  C: '关闭',
  X: '已过',
  H: '未开放',
};

export const STATE_LABELS = {
  pending: '待审批',
  confirmed: '已预约',
  checked_in: '已签到',
  cancelled: '已取消',
  released: '已释放',
  rejected: '未通过',
};

export const STATE_TAGS = {
  pending: 'warning',
  confirmed: 'primary',
  checked_in: 'success',
  cancelled: 'default',
  released: 'danger',
  rejected: 'danger',
};

export const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];
export const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const pad = (n) => String(n).padStart(2, '0');

/* "HH:MM" of minutes from midnight (1440 -> "24:00"). */
export function hhmm(min) {
  return pad(Math.floor(min / 60)) + ':' + pad(min % 60);
}

/* Local day number (days since 1970-01-01) of @ms at @offMin. */
export function localDay(ms, offMin = 480) {
  return Math.floor((ms + offMin * MIN) / DAY);
}

/* "YYYY-MM-DD" of a local day number. */
export function dayDate(day) {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function dateDay(date) {
  return Math.floor(Date.parse(date + 'T00:00:00Z') / DAY);
}

/* Unix ms of local @date ("YYYY-MM-DD") + @min minutes at @offMin. */
export function slotMs(date, min, offMin = 480) {
  return dateDay(date) * DAY - offMin * MIN + min * MIN;
}

/* RFC 3339 of @ms at @offMin: "2026-11-24T14:00:00+08:00". */
export function isoAt(ms, offMin = 480) {
  const s = new Date(ms + offMin * MIN).toISOString().slice(0, 19);
  const sign = offMin < 0 ? '-' : '+';
  const a = Math.abs(offMin);
  return s + sign + pad(Math.floor(a / 60)) + ':' + pad(a % 60);
}

/* The clock part of an RFC 3339 time as written by the server ("14:00"). */
export function clock(t) {
  return t ? t.slice(11, 16) : '';
}

/* "11月24日 周二" of "YYYY-MM-DD". */
export function dateText(date) {
  const [, m, d] = date.split('-').map(Number);
  const wd = (((dateDay(date) + 3) % 7) + 7) % 7;
  return `${m}月${d}日 周${WEEKDAYS[wd]}`;
}

/* "11月24日 周二 14:00-15:30" of a booking's start and end. */
export function spanText(start, end) {
  if (!start) return '';
  const d0 = start.slice(0, 10);
  const d1 = end ? end.slice(0, 10) : d0;
  let s = dateText(d0) + ' ' + clock(start);
  if (end) s += '-' + (d1 === d0 ? clock(end) : dateText(d1) + ' ' + clock(end));
  return s;
}

/* Relative name of a date: 今天, 明天, 后天 or the weekday. */
export function dayName(date, todayDate) {
  const diff = dateDay(date) - dateDay(todayDate);
  if (diff === 0) return '今天';
  if (diff === 1) return '明天';
  if (diff === 2) return '后天';
  return '周' + WEEKDAYS[(((dateDay(date) + 3) % 7) + 7) % 7];
}

/*
 * How many slots from index @i of @slots are free in a row, continuing into
 * @next (the following day's string) if given.
 */
export function freeRun(slots, i, next = '') {
  const all = slots + next;
  let n = 0;
  while (i + n < all.length && all[i + n] === 'F') n++;
  return n;
}

/* Durations (minutes) bookable from a slot: min..max by slot, within @freeSlots. */
export function durations(rules, freeSlots) {
  const out = [];
  for (let m = rules.min_minutes; m <= rules.max_minutes; m += rules.slot_minutes) {
    if (m / rules.slot_minutes > freeSlots) break;
    out.push(m);
  }
  return out;
}

export function durationText(min) {
  const h = Math.floor(min / 60);
  const m = min % 60;
  if (!h) return `${m}分钟`;
  return m ? `${h}小时${m}分` : `${h}小时`;
}

/* "08:00-12:00, 14:00-18:00" of a room's hours on weekday key @k, or 全天开放 / 不开放. */
export function hoursText(rules, k) {
  if (rules.open_24h) return '24小时开放';
  const list = (rules.opening_hours && rules.opening_hours[k]) || [];
  return list.length ? list.join('，') : '不开放';
}
