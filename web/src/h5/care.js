/* Care (关爱) on the H5: labels and dates shared by its pages and the home page's 平安 button. */

export const CHECKLIST = [
  { key: 'body', label: '身体' },
  { key: 'mind', label: '精神' },
  { key: 'safety', label: '居住安全' },
  { key: 'utilities', label: '用电用气' },
  { key: 'needs', label: '需求' },
];

export const MODES = [
  { value: 'in_person', label: '上门' },
  { value: 'phone', label: '电话' },
];

export const AWAY_REASONS = [
  { value: 'hospital', label: '住院' },
  { value: 'travel', label: '外出' },
  { value: 'other', label: '其他' },
];

export const MAX_VISIT_PHOTOS = 3;
export const MAX_NEEDS = 5;

export const GRADE_LABELS = { 1: '一级 重点', 2: '二级 关注', 3: '三级 一般' };

const BEIJING_MS = 8 * 3600 * 1000;

/* "YYYY-MM-DD" in Beijing of an RFC 3339 time (or of now). */
export function beijingDay(iso) {
  const ms = iso ? Date.parse(iso) : Date.now();
  return new Date(ms + BEIJING_MS).toISOString().slice(0, 10);
}

/* 今天, 昨天, 明天, or 12月8日 (with the year when it is not this one) for a "YYYY-MM-DD". */
export function dayLabel(day, today = beijingDay()) {
  if (!day) return '';
  const diff = Math.round((Date.parse(day) - Date.parse(today)) / 86400000);
  if (diff === 0) return '今天';
  if (diff === -1) return '昨天';
  if (diff === 1) return '明天';
  const [y, m, d] = day.split('-').map(Number);
  const md = `${m}月${d}日`;
  return y === Number(today.slice(0, 4)) ? md : `${y}年${md}`;
}

/* dayLabel of an RFC 3339 time; @none when there is none. */
export function timeDay(iso, today, none = '无') {
  return iso ? dayLabel(beijingDay(iso), today) : none;
}

/* The value of an <input type="datetime-local"> for @ms, in the phone's time zone. */
export function localInput(ms = Date.now()) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}
