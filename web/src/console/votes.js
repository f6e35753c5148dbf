/*
 * Deliberation and votes (议事表决) in the console: the labels of the codes
 * the votes API speaks (topics, meetings, votes, 加装电梯 projects), shared
 * by the Votes*.vue and Lift*.vue pages.
 */

/* who sees the pages (GET /topics, /votes, /lifts) and who manages (the community's staff) */
export const VOTES_ROLES = ['admin', 'street_admin', 'secretary', 'staff'];
export const VOTES_MANAGE_ROLES = ['secretary', 'staff'];

export const TOPIC_STATES = [
  { value: 'collecting', label: '征集' },
  { value: 'consulting', label: '协商' },
  { value: 'voting', label: '表决' },
  { value: 'publicity', label: '公示' },
  { value: 'implementing', label: '实施' },
  { value: 'done', label: '完结' },
];
export const TOPIC_STATE_LABELS = Object.fromEntries(TOPIC_STATES.map((s) => [s.value, s.label]));
export const TOPIC_STATE_TYPES = { collecting: 'info', consulting: 'warning', voting: 'primary', publicity: 'success', implementing: 'success', done: 'info' };

export const STEP_LABELS = { raised: '发起', state: '进入', hidden: '隐藏', shown: '恢复显示', merged: '合并', meeting: '安排议事会', minutes: '发布纪要' };

export const SCOPE_LABELS = { community: '全社区', building: '本楼', unit: '本单元' };

export const VOTE_KIND_LABELS = { owners: '业主共同决定', poll: '民意征集' };
export const VOTE_STATE_LABELS = { scheduled: '未开始', open: '进行中', ended: '已到期待结束', closed: '已结束' };
export const VOTE_STATE_TYPES = { scheduled: 'info', open: 'success', ended: 'warning', closed: 'info' };
export const MATTER_LABELS = { ordinary: '一般事项（过半数）', special: '特别事项（四分之三）' };
export const PER_LABELS = { household: '每户一票', resident: '每人一票' };
export const CHOICE_LABELS = { yes: '同意', no: '反对', abstain: '弃权' };
export const CHANNEL_LABELS = { app: '手机', h5: '手机', online: '手机', paper: '纸质表决票', in_person: '现场' };

export const LIFT_STATES = { voting: '表决中', notice: '公示中', objections: '异议处理', ready: '待确认', final: '已定案' };
export const LIFT_STATE_TYPES = { voting: 'primary', notice: 'warning', objections: 'danger', ready: 'success', final: 'info' };
export const LIFT_STEPS = ['voting', 'notice', 'objections', 'ready', 'final'];

/* "2026-12-05T19:00:00+08:00" -> "2026-12-05 19:00" (Beijing, as the server writes it) */
export function dayTime(ts) {
  return ts ? String(ts).slice(0, 16).replace('T', ' ') : '';
}

/* a vote's scope in words: "全社区", "1号楼", "1号楼 1单元" */
export function voteScope(v) {
  if (!v) return '';
  if (v.scope === 'community') return '全社区';
  return (v.building || '') + (v.scope === 'unit' && v.unit ? ` ${v.unit}单元` : '');
}

/* the export links another module serves (may not exist on every build) */
export function exportUrl(id, what, format) {
  return `/api/v1/votes/${id}/export?what=${what}&format=${format}`;
}
