/* Chinese labels for the codes the API speaks, and small display helpers. */

export const ROLE_LABELS = {
  admin: '系统管理员',
  street_admin: '街道管理员',
  secretary: '社区书记',
  staff: '社区工作者',
  grid_worker: '网格员',
  property: '物业',
  resident: '居民',
};

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
  'resident.view_full': '查看完整信息',
  'resident.create': '新增居民',
  'resident.update': '修改居民',
  'resident.transfer_in': '户间迁移',
  'resident.move_out': '迁出居民',
  'resident.import': '导入台账',
  'resident.export': '导出台账',
  'building.create': '新增楼栋',
  'household.create': '新增住户',
  'grid.create': '新增网格',
  'tag.create': '新增标签',
};

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
  return AUDIT_ACTIONS[a] || a || '';
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
