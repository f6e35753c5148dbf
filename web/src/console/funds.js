/*
 * 自治金 in the console: money is integer fen on the wire and typed in 元
 * on the pages; the names of states and steps.
 */
export const STEPS = [
  { state: 'review', kind: 'review', label: '居委会审核' },
  { state: 'council', kind: 'council', label: '议事会意见' },
  { state: 'street', kind: 'street', label: '街道审批' },
  { state: 'change', kind: 'change_review', label: '变更审批' },
];
export const STEP_NAMES = { submit: '提交', review: '居委会审核', council: '议事会意见', street: '街道审批', change: '申请变更', change_review: '变更审批', close: '结项' };
export const DECISIONS = { approve: '同意', return: '退回修改', reject: '不同意' };
/* the states' names and the money format are the H5's too */
export { FUNDS_STATE_LABELS as STATE_LABELS, yuan } from '../shared/funds.js';
/* el-tag types of the states (Element Plus's, not Vant's as in shared/funds.js) */
export const STATE_TAGS = {
  draft: 'info', review: 'warning', council: 'warning', street: 'warning', returned: 'danger',
  rejected: 'info', approved: 'primary', change: 'warning', closed: 'success',
};
export const FILE_KINDS = { receipt: '票据', photo: '照片', attachment: '附件' };

/* "1234.5" of @fen, for an input. */
export function yuanInput(fen) {
  if (fen == null) return '';
  const neg = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  const cents = a % 100;
  return neg + Math.floor(a / 100) + (cents ? '.' + String(cents).padStart(2, '0').replace(/0$/, '') : '');
}

/*
 * Integer fen of an amount typed in 元 ("12", "12.5", "1,200.05"), exactly,
 * without floating point; null when it is not one (empty, negative, more
 * than two decimals, letters).
 */
export function toFen(text) {
  const s = String(text ?? '').trim().replace(/[,，\s]/g, '').replace(/^¥/, '');
  const m = /^(\d{1,10})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

/* where the list page was (year, tab, step, state filter) when an application was opened from it */
export const fundsView = { year: 0, tab: '', step: '', listState: '' };

export const fileUrl = (id) => `/api/v1/funds/files/${id}`;
export const thisYear = () => new Date(Date.now() + 8 * 3600000).getUTCFullYear();
