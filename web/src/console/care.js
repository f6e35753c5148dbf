/*
 * Care of the elderly (关爱) in the console: the labels of the codes the
 * care API speaks, and the option wording of the GB/T 42195-2022 form.
 *
 * GET /care/form gives the items, their maxima (options are 0 … max, higher
 * = more able), the dimensions and the level bands: the scores come from
 * the server's scoring code. The wording below is ../shared/standards/
 * STANDARDS.md §1.2's; where transcriptions differ (B.1.7, B.4.4) both
 * readings are shown, and an item without wording here shows its scores.
 */

export const CARE_ROLES = ['admin', 'street_admin', 'secretary', 'staff', 'grid_worker'];
/* GET /care/stats, GET /care/settings, /care/people?in_care=0 */
export const CARE_STAFF_ROLES = ['admin', 'street_admin', 'secretary', 'staff'];
/* open, close, assess, pair, settings */
export const CARE_MANAGE_ROLES = ['admin', 'secretary', 'staff'];

export const GRADE_LABELS = { 1: '一级（重点）', 2: '二级（关注）', 3: '三级（一般）' };
export const GRADE_SHORT = { 1: '一级', 2: '二级', 3: '三级' };
export const GRADE_TYPES = { 1: 'danger', 2: 'warning', 3: 'info' };
export const GRADE_COLORS = { 1: '#f56c6c', 2: '#e6a23c', 3: '#909399' };

export const LEVEL_NAMES = ['能力完好', '轻度受损', '中度受损', '重度受损', '完全丧失'];
export const LEVEL_COLORS = ['#67c23a', '#95d475', '#e6a23c', '#f89898', '#f56c6c'];

export const LIVING_LABELS = {
  alone: '独居',
  with_spouse: '与配偶同住',
  with_family: '与子女等同住',
  with_carer: '与护工同住',
  other: '其他',
  unknown: '不详',
};

export const TAG_LABELS = {
  chronic: '慢性病',
  fall: '近期跌倒',
  hospital: '近期住院',
  no_relative: '子女不在身边',
  low_income: '低收入',
};

export const REASON_PRESETS = ['独居', '高龄', '失能', '空巢', '残疾', '慢性病', '低保', '子女不在身边'];

export const PAIR_KINDS = { grid_worker: '网格员', volunteer: '志愿者', neighbour: '邻居', relative: '亲属' };
export const CLOSE_REASONS = { moved: '迁出', care_home: '入住养老机构', deceased: '去世', other: '其他' };
export const AWAY_REASONS = { hospital: '住院', travel: '外出', other: '其他' };
export const VISIT_MODES = { in_person: '上门', phone: '电话' };
export const CHECKLIST = { body: '身体', mind: '精神', safety: '居住安全', utilities: '用电用气', needs: '需求' };

export const RISK_EVENTS = { fall: '跌倒', choking: '噎食', suicide: '自杀', self_harm: '自伤', wandering: '走失', other: '其他' };

export const FACTORS = {
  ability_level: '能力等级 ≥',
  lives_alone: '独居',
  age: '年龄 ≥',
  tag: '标签',
  missed_checks: '近 30 天漏打卡 ≥',
};

/* "独居 且 年龄 ≥ 80" */
export function ruleText(when) {
  return (when || [])
    .map((c) => {
      if (c.factor === 'lives_alone') return '独居';
      if (c.factor === 'tag') return TAG_LABELS[c.tag] || c.tag;
      if (c.factor === 'ability_level') return `能力等级 ≥ ${c.min}`;
      if (c.factor === 'age') return `年龄 ≥ ${c.min}`;
      if (c.factor === 'missed_checks') return `近 30 天漏打卡 ≥ ${c.min} 次`;
      return c.factor;
    })
    .join(' 且 ');
}

const STEP5 = ['完全依赖他人协助，且不能给予配合', '主要依靠他人协助，自身能给予配合', '需要他人协助，但以自身完成为主', '在他人指导或提示下完成', '独立完成，不需要他人协助'];

/* option wording by score (index = score) */
export const OPTION_TEXT = {
  'B.1.1': ['完全依赖他人协助进食，或吞咽困难，或留置营养管', '需要大量接触式协助，经常（每周一次及以上）呛咳', '进食中至少需要少量接触式协助，偶尔（每月一次及以上）呛咳', '在他人指导或提示下完成，或独立使用辅具，没有呛咳', '独立使用器具将食物送进口中并咽下，没有呛咳'],
  'B.1.2': STEP5,
  'B.1.3': STEP5,
  'B.1.4': STEP5,
  'B.1.5': STEP5,
  'B.1.6': ['小便失禁，完全不能控制，或留置导尿管', '白天大部分时间不能控制（每天≥1次），夜间尿失禁，或他人大量协助', '白天大部分时间可控制，偶出现（每天<1次，但每周>1次）尿失禁，夜间控制较差，或他人少量协助使用辅助用物', '白天可自行控制，夜间次数增多/控制较差，或自行使用尿布、尿垫等', '可自行控制排尿，次数、控制均正常'],
  'B.1.7': ['严重便秘或完全大便失禁，需依赖他人协助排便或清洁皮肤', '大部分时间均出现（每天≥1次），但尚非完全失控，或他人大量协助', '经常出现（每天<1次，但每周>1次）便秘或失禁，或他人少量协助', '有时出现便秘或大便失禁，或自行使用开塞露、尿垫等（频次各版本写法不同：“每天<1次”或“每周少于1次”）', '可正常自行控制大便排出'],
  'B.1.8': STEP5,
  'B.2.1': STEP5,
  'B.2.2': STEP5,
  'B.2.3': ['完全不能步行', '步行时需要他人大量扶持协助', '步行时需要他人少量扶持协助', '能平地行走50 m左右，存在跌倒风险，需他人监护或指导，或使用拐杖、助行器等', '独立平地行走50 m左右，不需要协助，无摔倒风险'],
  'B.2.4': ['主要依靠他人协助，自身能给予配合；或完全依赖他人协助，且不能给予配合', '需要他人协助，但以自身完成为主', '在他人指导或提示下完成', '可独立上下楼梯（连续上下10~15个台阶），不需要协助'],
  'B.3.1': ['无时间观念', '时间观念很差，年月日不清楚，可知上午/下午或白天/夜间', '时间观念较差，年月日不清楚，可知上/下半年或季节', '时间观念有些下降，年、月、日（或星期几）不能全部分清（相差两天或以上）', '年、月清楚，日期（或星期几）可相差一天'],
  'B.3.2': ['不能单独外出，无空间观念', '不能单独外出，知道较少居住/生活所在地的地址信息', '不能单独外出，但知道较多有关日常生活的地址信息', '不能单独外出，但能准确知道日常生活所在地的地址信息', '能在日常生活范围内单独外出（如在居住小区内独自外出购物）'],
  'B.3.3': ['不认识任何人（包括自己）', '只认识自己或极少数日常同住的亲人或照护者', '能认识部分日常同住的亲人或照护者等', '能认识大部分共同生活居住的人，能称呼或知道关系', '认识长期共同生活的人，能称呼并知道关系'],
  'B.3.4': ['记忆完全紊乱或完全不能正确回忆既往事物', '重度（不能回忆远期记忆，如老朋友）', '中度（不能回忆近期记忆，如上一顿饭）', '轻度记忆紊乱或回忆不能（3个词语5分钟后仅能回忆0~1个）', '总能保持与社会、年龄相适应的记忆能力，能完整回忆'],
  'B.3.5': ['完全不能理解他人的话', '理解有严重困难，需要大量他人帮助', '理解有困难，需频繁重复或简化口头表达', '能理解，但需要增加时间', '能正常理解他人的话'],
  'B.3.6': ['完全不能表达需要', '表达有严重困难，需要大量他人帮助', '表达有困难，需频繁重复或简化口头表达', '能表达需要，但需要增加时间', '能正常表达自己的想法'],
  'B.3.7': ['近一个月内出现过攻击行为（身体或语言）', '未出现'],
  'B.3.8': ['近一个月内出现过负性情绪', '未出现'],
  'B.3.9': ['昏睡或昏迷', '嗜睡或意识模糊', '神志清醒，对周围环境能做出正确反应'],
  'B.4.1': ['只能看到光、颜色和形状，或完全失明', '能看清大字体但看不清书报标准字体，或看不清报纸大标题但能辨认物体', '视力正常（最好矫正视力下）'],
  'B.4.2': ['讲话者大声或很慢才能部分听见，或完全失聪', '轻声说话或距离>2 m时听不清，需安静环境或大声才能听到', '听力正常（可借助助听设备）'],
  'B.4.3': ['完全依赖他人', '需要大量协助', '需要少量协助', '需要他人监护或指导', '能完全独立计划、安排和完成，无需协助'],
  'B.4.4': ['只能在他人协助下搭乘出租车或私家车外出，或完全不能出门', '有人协助或陪伴时可搭乘公共交通工具外出（另一版本：需有人协助搭乘出租车或私家车外出）', '能自己搭乘出租车，但不会搭乘其他公共交通工具', '能自己骑车或搭乘公共交通工具外出'],
  'B.4.5': ['不能与人交往', '勉强可与他人接触，谈吐内容不清楚，表情不恰当', '脱离社会，可被动接触，不会主动待人，谈话中很多不适词句，容易上当受骗', '能适应单纯环境，主动接触他人，初见面时难让人发现智力问题，不能理解隐喻语', '参与社会，在社会环境有一定适应能力，待人接物恰当'],
};

/* C.3: the level of a total score (0–90) by @levels of GET /care/form */
export function levelOfTotal(levels, total) {
  const l = (levels || []).find((b) => total >= b.min && total <= b.max);
  return l ? l.level : null;
}

/* "2026-12-05T01:58:12+08:00" -> "2026-12-05" (Beijing, as the server writes it) */
export function day(ts) {
  return ts ? String(ts).slice(0, 10) : '';
}
export function dayTime(ts) {
  return ts ? String(ts).slice(0, 16).replace('T', ' ') : '';
}
