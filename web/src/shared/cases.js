/* Labels and small helpers for cases (案件), shared by the console and the H5. */
import { ROLE_LABELS } from './labels.js';

export const CASE_STATES = {
  accepted: '已受理',
  dispatched: '已派遣',
  handling: '处置中',
  verified: '已核查',
  closed: '已结案',
  returned: '已退单',
  on_hold: '已挂起',
  reopened: '已重启',
};

/* Vant / Element Plus tag types by state. */
export const STATE_TAGS = {
  accepted: 'primary',
  dispatched: 'primary',
  handling: 'warning',
  verified: 'success',
  closed: 'success',
  returned: 'danger',
  on_hold: 'default',
  reopened: 'danger',
};

export const RATINGS = [
  { value: 'satisfied', label: '满意' },
  { value: 'basically_satisfied', label: '基本满意' },
  { value: 'unsatisfied', label: '不满意' },
];

export const ACTION_LABELS = {
  dispatch: '派遣',
  handle: '开始处置',
  complete: '处置完成',
  verify: '核查通过',
  close: '结案',
  return: '退单',
  hold: '挂起',
  resume: '恢复',
  merge: '合并',
  rate: '评价',
  supplement: '补充信息',
  urge: '催办',
};

export const UNIT_KINDS = {
  property: '物业',
  committee: '居委',
  city_management: '城管',
  police: '派出所',
  street_grid: '街道网格中心',
  department: '职能部门',
  other: '其他',
};

export const SOURCES = { app: '手机上报', phone: '电话', in_person: '来访', open311: 'Open311' };

/* Who took a step: the role, or 系统 for the automatic ones. */
export function actorText(step) {
  if (!step.actor_id) return '系统';
  const role = ROLE_LABELS[step.actor_role] || '';
  return [role, step.actor_name].filter(Boolean).join(' · ');
}

/* "2026-09-24T07:17:00+08:00" -> "2026-09-24 07:17" (the server speaks Beijing time). */
export function caseTime(iso) {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '';
}

export function placeText(c) {
  if (c.building_name) return c.building_name + (c.unit ? ` ${c.unit}单元` : '');
  if (c.address) return c.address;
  if (c.lat !== null && c.lat !== undefined) return `地图位置 ${c.lat.toFixed(5)}, ${c.long.toFixed(5)}`;
  return '';
}

export const MAX_PHOTOS = 6;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
