/* 议事 and 表决 labels, and the plain words for what a vote decides, shared by the H5 (and the console). */

export const CHOICES = [
  { value: 'yes', label: '同意' },
  { value: 'no', label: '反对' },
  { value: 'abstain', label: '弃权' },
];
export const CHOICE_LABELS = { yes: '同意', no: '反对', abstain: '弃权' };
export const VOTE_STATE_LABELS = { scheduled: '未开始', open: '进行中', ended: '已截止，待计票', closed: '已结束' };
export const VOTE_STATE_TAGS = { scheduled: 'default', open: 'primary', ended: 'warning', closed: 'success' };
export const TOPIC_SCOPE_LABELS = { community: '全社区', building: '本楼', unit: '本单元' };
export const TOPIC_STATE_TAGS = {
  collecting: 'primary', consulting: 'warning', voting: 'danger', publicity: 'success', implementing: 'success', done: 'default',
};
export const STEP_LABELS = {
  raised: '提出议题', state: '进入新阶段', hidden: '被管理员隐藏', shown: '恢复显示', merged: '合并到其他议题',
  meeting: '召开议事会', minutes: '公布会议纪要',
};
export const MATTER_LABELS = {
  special: '特别事项（筹集维修资金、改建重建、改变共有部分用途，加装电梯也按此表决）',
  ordinary: '一般事项',
};

/* "2/3" → "三分之二" is not needed: fractions read as they are written. */
function ruleOf(v) {
  if (v.rule) return v.rule;
  if (v.kind === 'owners')
    return v.matter === 'special'
      ? { quorum: '2/3', approval: '3/4', approval_strict: false }
      : { quorum: '2/3', approval: '1/2', approval_strict: true };
  return { quorum: null, approval: '1/2', approval_strict: true };
}

/*
 * What voting in @v means, in plain sentences, before she votes: the
 * thresholds, who is bound, secrecy, changing, the close. @lift: the
 * 加装电梯 project when the vote is one.
 */
export function consequences(v, lift) {
  const r = ruleOf(v);
  const out = [];
  const agree = r.approval_strict ? `同意需超过参与的 ${r.approval}` : `同意需达参与的 ${r.approval}`;
  if (v.kind === 'owners') {
    out.push({ key: 'matter', text: `业主共同决定 · ${MATTER_LABELS[v.matter] || v.matter}` });
    out.push({ key: 'thresholds', text: `需参与表决面积和人数均达 ${r.quorum}，${agree}（按专有部分面积和业主人数分别计算）` });
  } else {
    out.push({ key: 'matter', text: `民意征集 · ${v.per === 'resident' ? '每人一票' : '每户一票'}` });
    out.push({ key: 'thresholds', text: r.quorum ? `需参与人数达 ${r.quorum}，${agree}` : `${agree}` });
  }
  if (lift) {
    out.push({ key: 'binds', text: '加装电梯的决定一经通过，对本单元全体业主都有约束力，包括没有投票和投反对票的业主' });
    if (lift.settings && lift.settings.occupied_consent)
      out.push({ key: 'occupied', text: '电梯占用专有部分的业主（如一楼住户）须同意，否则不能通过' });
    if (lift.settings && lift.settings.notice_days)
      out.push({ key: 'notice', text: `表决结束后公示 ${lift.settings.notice_days} 个${lift.settings.notice_day_kind === 'working' ? '工作日' : '自然日'}，公示期内本单元住户可以提出异议` });
  } else if (v.kind === 'owners') {
    out.push({ key: 'binds', text: `决定通过后，对${v.scope === 'unit' ? '本单元' : v.scope === 'building' ? '本楼' : '小区'}全体业主都有约束力` });
  }
  out.push({ key: 'secret', text: v.secret ? '无记名表决：别人看不到您的选择，结束前只公布参与人数' : '记名表决：结束后公布每户的选择，进行中可以看到票数' });
  out.push({ key: 'change', text: v.changeable ? '截止前可以改票，以最后一次为准' : '投出后不能更改，请想好再投' });
  return out;
}
