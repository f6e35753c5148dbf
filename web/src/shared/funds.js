/* 自治金 labels and money shared by the console and the H5 (amounts are integer fen). */

export const FUNDS_STATE_LABELS = {
  draft: '草稿', review: '居委会审核', council: '议事会审议', street: '街道审批', returned: '退回修改',
  rejected: '未通过', approved: '执行中', change: '变更审批中', closed: '已结项',
};
export const FUNDS_STATE_TAGS = {
  draft: 'default', review: 'primary', council: 'primary', street: 'primary', returned: 'warning',
  rejected: 'danger', approved: 'success', change: 'warning', closed: 'success',
};

/* "¥1,234.50" of @fen */
export function yuan(fen) {
  if (fen == null) return '';
  return '¥' + (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/* fen of a yuan amount typed by a person ("12.5" → 1250), or NaN */
export function fenOf(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(String(text ?? ''));
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}
