/* 志愿者 (volunteers and their hours) labels and helpers shared by the console and the H5. */
import { KIND_LABELS } from './activities.js';

export const STATE_LABELS = { pending: '待审核', confirmed: '已确认', rejected: '已退回' };
export const STATE_TAGS = { pending: 'warning', confirmed: 'success', rejected: 'danger' };
export const STATUS_LABELS = { active: '在岗', paused: '暂停' };

/* minutes as hours with one decimal: 90 -> "1.5" */
export function hours(minutes) {
  const m = Math.abs(minutes || 0);
  const tenths = Math.floor((m * 10 + 30) / 60);
  return (minutes < 0 ? '-' : '') + Math.floor(tenths / 10) + '.' + (tenths % 10);
}

export function kindLabel(kind) {
  return KIND_LABELS[kind] || '其他';
}

/* "环境清洁 · 社区志愿服务日" or the correction's reason */
export function entryText(e) {
  if (e.source === 'correction') return `更正：${e.reason}`;
  return [e.activity_title, e.post_name].filter(Boolean).join(' · ');
}

/* labels of codes from /volunteers/options */
export function labelsOf(codes, options) {
  const m = Object.fromEntries((options || []).map((o) => [o.code, o.label]));
  return (codes || []).map((c) => m[c] || c);
}
