/* 积分 and 合作商户 labels and small helpers shared by the console and the H5. */

export const RULE_LABELS = {
  volunteer_hour: '志愿服务',
  attend_volunteer: '参加志愿服务活动',
  attend_course: '参加公益课程',
  attend_market: '参加便民集市',
  attend_sports: '参加文体活动',
  attend_civic: '参加议事/宣传活动',
};

export const OFFER_KINDS = [
  { value: 'discount', label: '积分兑换优惠' },
  { value: 'market_service', label: '集市服务' },
  { value: 'course', label: '授课' },
];
export const OFFER_KIND_LABELS = Object.fromEntries(OFFER_KINDS.map((k) => [k.value, k.label]));

export const MERCHANT_STATES = [
  { value: 'active', label: '合作中' },
  { value: 'paused', label: '暂停' },
  { value: 'ended', label: '已结束' },
];
export const MERCHANT_STATE_LABELS = Object.fromEntries(MERCHANT_STATES.map((k) => [k.value, k.label]));

/* "2026-12-07 09:30" of an RFC 3339 time given at +08:00 */
export function when(t) {
  return t ? `${t.slice(0, 10)} ${t.slice(11, 16)}` : '';
}

/* What an entry of the ledger was for, in words. */
export function entryText(e) {
  if (e.kind === 'adjust') return `人工调整：${e.reason}`;
  if (e.kind === 'spend') return `兑换：${e.what || '商户优惠'}`;
  const rule = RULE_LABELS[e.rule] || '积分奖励';
  return e.what ? `${rule}：${e.what}` : rule;
}
