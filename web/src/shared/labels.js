/* Chinese labels for the codes the API speaks, and small display helpers. */

export const ROLE_LABELS = {
  admin: '系统管理员',
  street_admin: '街道管理员',
  secretary: '社区书记',
  staff: '社区工作者',
  grid_worker: '网格员',
  property: '物业',
  resident: '居民',
  reporter: '流动网格员',
};

export const ACCOUNT_STATE_LABELS = { active: '正常', inactive: '待激活', pending: '待确认' };

export const GENDER_LABELS = { male: '男', female: '女' };

export const STATUS_LABELS = { active: '在册', moved_out: '已迁出', deceased: '已故' };

export const HISTORY_LABELS = {
  move_in: '迁入',
  move_out: '迁出',
  transfer: '户内迁移',
  moved_out: '迁出',
};

export const RELATIONS = ['户主', '配偶', '子女', '子', '女', '父亲', '母亲', '孙子', '孙女', '兄弟姐妹', '租户', '其他'];

export const AUDIT_ACTIONS = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'auth.login_failed': '登录失败',
  'account.open': '开通居民账号',
  'account.create': '开通工作账号',
  'account.activate': '激活账号或重设密码',
  'account.reset': '重置密码',
  'account.password': '修改密码',
  'account.update': '修改账号',
  'account.grids': '分配网格',
  'account.register': '手机号注册（已关联住户）',
  'account.register_pending': '手机号注册（待确认）',
  'account.register_resubmit': '重新提交注册',
  'registration.approve': '确认注册',
  'registration.reject': '驳回注册',
  'community.profile_update': '修改社区信息',
  'resident.view_full': '查看完整信息',
  'resident.search_full': '按完整证件号或手机号查找',
  'resident.search_refused': '查找次数过多被拒绝',
  'resident.create': '新增居民',
  'resident.update': '修改居民',
  'resident.transfer_in': '户间迁移',
  'resident.move_out': '迁出居民',
  'resident.import': '导入台账',
  'resident.export': '导出台账',
  'care.view_full': '查看关爱档案',
  'care.open': '纳入关爱',
  'care.update': '修改关爱资料',
  'care.close': '结束关爱',
  'care.assess': '能力评估',
  'care.grade_override': '人工调整关爱等级',
  'care.grade_override_lift': '取消人工调整关爱等级',
  'care.pair': '结对',
  'care.unpair': '解除结对',
  'care.visit': '走访',
  'care.away': '登记外出/住院',
  'care.settings': '修改关爱设置',
  'care.export': '导出关爱名单（脱敏）',
  'care.export_full': '导出关爱名单（完整）',
  'building.create': '新增楼栋',
  'household.create': '新增住户',
  'grid.create': '新增网格',
  'tag.create': '新增标签',
  'room.create': '新增活动室',
  'room.update': '修改活动室',
  'room.door_link': '生成门牌链接',
  'room.door_link_revoke': '作废门牌链接',
  'blackout.create': '设置停用时段',
  'blackout.delete': '取消停用时段',
  'booking.create': '预约',
  'booking.create_for': '代为预约',
  'booking.create_recurring': '每周预约',
  'booking.cancel': '取消预约',
  'booking.approve': '通过预约',
  'booking.reject': '驳回预约',
  'booking.checkin': '预约签到',
  'booking.expire': '预约过期',
  'booking.release': '释放预约',
  'booking.promote': '候补转正',
  'booking.suspend': '暂停预约资格',
  'booking.feed': '生成日历订阅',
  'booking.feed_revoke': '作废日历订阅',
  'booking_policy.update': '修改预约规则',
  'waitlist.join': '加入候补',
  'waitlist.cancel': '退出候补',
  'case.create': '报事',
  'case.dispatch': '案件派遣',
  'case.handle': '案件处置',
  'case.verify': '案件核查',
  'case.close': '案件结案',
  'case.return': '案件退单',
  'case.hold': '案件挂起',
  'case.resume': '案件恢复',
  'case.merge': '案件并单',
  'case.rate': '案件评价',
  'case.place': '补定案件位置',
  'case.supplement': '补充案件情况',
  'case.urge': '催办案件',
  'case.export': '导出案件',
  'case_photo.upload': '上传案件照片',
  'case_photo.purge': '清理无用照片',
  'case_category.create': '新增案件类别',
  'case_category.update': '修改案件类别',
  'case_unit.create': '新增责任单位',
  'case_unit.update': '修改责任单位',
  'case_route.create': '新增派单规则',
  'case_route.delete': '删除派单规则',
  'case_calendar.set': '设置工作日历',
  'case_calendar.delete': '删除工作日历',
  'case_setting.update': '修改案件设置',
  'kb.create': '新增知识条目',
  'kb.update': '修改知识条目',
  'kb.delete': '删除知识条目',
  'kb.synonym_create': '新增同义词',
  'kb.synonym_delete': '删除同义词',
  'assistant.handoffs_view_full': '查看转人工联系方式',
  'announcement.create': '发布通知',
  'announcement.update': '修改通知',
  'announcement.withdraw': '撤回通知',
  'import.resolve': '处理导入问题',
};

/* Who did it when no user did: the command line, the server's own sweeps, an Open311 client. */
export const SYSTEM_ACTORS = { cli: '命令行工具', system: '系统自动', open311: 'Open311 接口' };

export const FIELD_LABELS = {
  name: '姓名',
  gender: '性别',
  birth_date: '出生日期',
  id_number: '身份证号',
  phone: '手机号',
  relation: '与户主关系',
  tags: '标签',
  household_id: '所在户',
  moved_in: '迁入日期',
  building: '楼栋',
  unit: '单元',
  floor: '楼层',
  room: '室号',
  household: '所在户',
  area_m2: '面积',
  community: '社区',
};

export const OBJECT_LABELS = {
  resident: '居民',
  building: '楼栋',
  household: '住户',
  grid: '网格',
  tag: '标签',
  user: '账号',
  community: '社区',
  registration: '注册申请',
  room: '活动室',
  booking: '预约',
  waitlist: '候补',
  case: '案件',
  case_photo: '案件照片',
  case_category: '案件类别',
  case_unit: '责任单位',
  case_route: '派单规则',
  case_calendar: '工作日历',
  case_setting: '案件设置',
  kb_entry: '知识条目',
  kb_synonym: '同义词',
  assistant_question: '助手问题',
  announcement: '通知公告',
  import: '导入记录',
};

export function roleLabel(role) {
  return ROLE_LABELS[role] || role || '';
}

export function genderLabel(g) {
  return GENDER_LABELS[g] || g || '';
}

export function statusLabel(s) {
  return STATUS_LABELS[s] || s || '';
}

export function auditLabel(a) {
  if (!a) return '';
  if (AUDIT_ACTIONS[a]) return AUDIT_ACTIONS[a];
  /* an action newer than this page: name its object in Chinese rather than show the code */
  const obj = OBJECT_LABELS[a.split('.')[0]];
  return obj ? obj + '操作' : '其他操作';
}

export function displayName(user) {
  if (!user) return '';
  return user.display_name || user.name || user.full_name || user.username || '';
}

/* Roles that may see the audit log, and roles that may change the registry. */
export const AUDIT_ROLES = ['secretary', 'street_admin', 'admin'];
export const WRITE_ROLES = ['admin', 'secretary', 'staff', 'grid_worker'];
export const MOVE_OUT_ROLES = ['admin', 'secretary', 'staff'];
export const REVEAL_ROLES = ['secretary', 'staff'];

/*
 * The stats endpoint reports breakdowns either as an object ({"独居老人": 3})
 * or as a list ([{"tag": "独居老人", "count": 3}]); both become [{name, value}].
 */
export function toPairs(x) {
  if (!x) return [];
  if (Array.isArray(x)) {
    return x.map((it) => {
      if (Array.isArray(it)) return { name: String(it[0]), value: Number(it[1]) || 0 };
      const name = it.name ?? it.tag ?? it.band ?? it.label ?? it.key ?? it.gender ?? '';
      const value = it.count ?? it.value ?? it.n ?? it.residents ?? 0;
      return { name: String(name), value: Number(value) || 0, key: !!(it.key_population) };
    });
  }
  if (typeof x === 'object') {
    return Object.entries(x).map(([name, value]) => ({
      name,
      value: typeof value === 'object' && value ? Number(value.count ?? value.value ?? 0) : Number(value) || 0,
    }));
  }
  return [];
}

export function formatTime(t) {
  if (!t) return '';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const pad = (n) => String(n).padStart(2, '0');
  /* Shown in Beijing time regardless of the browser's zone. */
  const b = new Date(d.getTime() + 8 * 3600 * 1000);
  return `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`;
}

export function genderFromIdNumber(id) {
  if (!id || id.length !== 18 || !/^\d{17}[\dXx]$/.test(id)) return '';
  return Number(id[16]) % 2 === 1 ? 'male' : 'female';
}

export function birthFromIdNumber(id) {
  if (!id || id.length !== 18 || !/^\d{17}[\dXx]$/.test(id)) return '';
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

export function userRoleLabel(user) {
  if (!user) return '';
  return user.role_label || roleLabel(user.role);
}

/* Areas arrive as binary floats (101.40000000000001); show at most one decimal. */
export function formatArea(x) {
  const n = Number(x);
  if (!Number.isFinite(n) || n <= 0) return '';
  return String(Math.round(n * 10) / 10);
}
