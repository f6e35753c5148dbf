/*
 * The staff console's session: who is logged in, which community they are
 * looking at, and the API client bound to the console's token.
 */
import { reactive } from 'vue';
import { ElMessage } from 'element-plus';
import { createApi } from '../shared/api.js';
import { createInbox, parseNoticeLink } from '../shared/notices.js';
import { CARE_ROLES, CARE_STAFF_ROLES, CARE_MANAGE_ROLES } from './care.js';
import { VOTES_ROLES, VOTES_MANAGE_ROLES } from './votes.js';
import { AUDIT_ROLES, WRITE_ROLES, MOVE_OUT_ROLES, REVEAL_ROLES } from '../shared/labels.js';

const COMMUNITY_KEY = 'linli.console.community';

export const session = reactive({
  user: null,
  community: null, /* the user's own community from /me, if any */
  communities: [], /* communities in scope, for the picker */
  code: '', /* the community being looked at */
  loaded: false,
});

let router = null;
export function bindRouter(r) {
  router = r;
}

let redirecting = false;
export const api = createApi({
  storageKey: 'linli.console.token',
  onUnauthorized(err) {
    const wasIn = session.loaded;
    session.user = null;
    session.loaded = false;
    /* Before the first page is shown the router guard handles a 401 itself. */
    if (!router || redirecting || !wasIn) return;
    const cur = router.currentRoute.value;
    if (cur.name === 'login') return;
    redirecting = true;
    ElMessage.warning(err.message || '登录已过期，请重新登录');
    router.replace({ name: 'login', query: { redirect: cur.fullPath } }).finally(() => {
      redirecting = false;
    });
  },
});

/* The notice bell in the header: the unread count and the inbox (shared with the H5). */
export const inbox = createInbox(api);

/*
 * Notice links are routes of the resident H5 (docs/API.md); each kind the
 * server writes has a console page: "/cases/12" is a console route as well,
 * and a booking's "/bookings?id=5" (or the bare "/bookings" of a suspension)
 * opens the room calendar, on that booking's day when it names one.
 */
const NOTICE_ALIASES = {
  '/bookings': (q) => ({ name: 'room-calendar', query: q.id ? { booking: q.id } : {} }),
};

/* The console route a notice's link opens, or null when the console has no page for it (or not for this user). */
export function noticeRoute(link) {
  const parsed = parseNoticeLink(link);
  if (!router || !parsed) return null;
  const alias = NOTICE_ALIASES[parsed.path];
  const r = router.resolve(alias ? alias(parsed.query) : link);
  return r.name && routeAllowed(r) ? r : null;
}

/* May the user open route @to? (the router's guard sends her elsewhere otherwise) */
export function routeAllowed(to) {
  /* property users work their unit's cases: the landing page (its 待办), the case pages, the inbox */
  if (session.user?.role === 'property' && !to.meta.cases && !to.meta.unit) return false;
  if (to.meta.caseConfig && !can.caseConfig()) return false;
  if (to.meta.audit && !can.audit()) return false;
  if (to.meta.funds && !can.funds()) return false;
  if (to.meta.activities && !can.activities()) return false;
  if (to.meta.kb && !can.kb()) return false;
  if (to.meta.accounts && !can.accounts()) return false;
  if (to.meta.manageRooms && !can.manageRooms()) return false;
  if (to.meta.roomStats && !can.roomStats()) return false;
  if (to.meta.care && !can.care()) return false;
  if (to.meta.careStaff && !can.careStaff()) return false;
  if (to.meta.careManage && !can.careManage()) return false;
  if (to.meta.votes && !can.votes()) return false;
  if (to.meta.geo && !can.geo()) return false;
  if (to.meta.analytics && !can.analytics()) return false;
  return true;
}

/* Marks notice @n read and opens its console page, if it has one; true when it did. */
export async function openNotice(n) {
  try {
    await inbox.markRead(n);
  } catch (e) {
    toastError(e);
  }
  const to = noticeRoute(n.link);
  if (to) router.push(to);
  return !!to;
}

export async function loadSession() {
  const me = await api.get('/me');
  session.user = me.user;
  session.community = me.community || null;
  let list = [];
  try {
    const data = await api.get('/communities', { per_page: 200 });
    list = Array.isArray(data) ? data : data.items || [];
  } catch (e) {
    if (e.status === 401) throw e;
    list = [];
  }
  session.communities = list;
  const own = (me.community && me.community.code) || '';
  let saved = '';
  try {
    saved = localStorage.getItem(COMMUNITY_KEY) || '';
  } catch {
    /* ignore */
  }
  if (own) session.code = own;
  else if (saved && list.some((c) => c.code === saved)) session.code = saved;
  else session.code = list.length ? list[0].code : '';
  session.loaded = true;
  return session;
}

export function setCommunity(code) {
  session.code = code;
  try {
    localStorage.setItem(COMMUNITY_KEY, code);
  } catch {
    /* ignore */
  }
}

export function currentCommunity() {
  return (
    session.communities.find((c) => c.code === session.code) ||
    (session.community && session.community.code === session.code ? session.community : null)
  );
}

export function clearSession() {
  session.user = null;
  session.community = null;
  session.communities = [];
  session.code = '';
  session.loaded = false;
}

export const can = {
  audit: () => AUDIT_ROLES.includes(session.user?.role),
  write: () => WRITE_ROLES.includes(session.user?.role),
  moveOut: () => MOVE_OUT_ROLES.includes(session.user?.role),
  /* add tags: as POST /tags */
  tags: () => ['admin', 'secretary', 'staff'].includes(session.user?.role),
  reveal: () => REVEAL_ROLES.includes(session.user?.role),
  pickCommunity: () => ['admin', 'street_admin'].includes(session.user?.role) || session.communities.length > 1,
  registry: () => !['property', 'resident', 'reporter'].includes(session.user?.role),
  cases: () => !['resident', 'reporter'].includes(session.user?.role),
  /* change the community's profile (PUT /communities/{code}/profile) */
  communityProfile: () => ['admin', 'street_admin', 'secretary', 'staff'].includes(session.user?.role),
  /* open residents' accounts, reset passwords, manage the accounts of GET /users */
  accounts: () => ['admin', 'street_admin', 'secretary', 'staff'].includes(session.user?.role),
  caseConfig: () => ['admin', 'secretary', 'staff'].includes(session.user?.role),
  kb: () => ['admin', 'street_admin', 'secretary', 'staff'].includes(session.user?.role),
  /* POST /import (staff, secretary, admin); the export is for the community's own staff */
  importExport: () => ['admin', 'secretary', 'staff'].includes(session.user?.role),
  /* ROLES_BOOKING_MANAGE: rooms, rules and approvals */
  manageRooms: () => ['admin', 'secretary', 'staff'].includes(session.user?.role),
  /* ROLES_BOOKING_STATS */
  roomStats: () => ['admin', 'street_admin', 'secretary', 'staff'].includes(session.user?.role),
  /* 自治金: the community's staff and the street (/funds/applications, /funds/ledger) */
  funds: () => ['admin', 'street_admin', 'secretary', 'staff'].includes(session.user?.role),
  /* 社区活动: the community's staff read and manage them; the street reads them and their figures */
  activities: () => ['admin', 'street_admin', 'secretary', 'staff'].includes(session.user?.role),
  manageActivities: () => ['admin', 'secretary', 'staff'].includes(session.user?.role),
  /* 关爱: the list (a grid worker's: her pairs), a person's page, the overdue board */
  care: () => CARE_ROLES.includes(session.user?.role),
  /* 关爱 statistics and settings (read); the elderly not yet in care */
  careStaff: () => CARE_STAFF_ROLES.includes(session.user?.role),
  /* open, assess, pair, close, change the settings */
  careManage: () => CARE_MANAGE_ROLES.includes(session.user?.role),
  /* 议事表决: topics, meetings, votes, 加装电梯 (the street reads) */
  votes: () => VOTES_ROLES.includes(session.user?.role),
  /* moderate, schedule, record ballots, close: the community's staff */
  votesManage: () => VOTES_MANAGE_ROLES.includes(session.user?.role),
  /* 社区分析 (GET /analytics/*): the community's workers, the street, the admin */
  analytics: () => ['admin', 'street_admin', 'secretary', 'staff', 'grid_worker'].includes(session.user?.role),
  /* PUT /analytics/rules: the street's admins and the admin */
  analyticsRules: () => ['admin', 'street_admin'].includes(session.user?.role),
  /* settings every community shares (the working-day calendar, the assistant's synonyms) */
  sharedSettings: () => session.user?.role === 'admin',
  /* 15分钟生活圈: coverage, the map, the checklist (ROLES_GEO_READ); facilities and the checklist kept (ROLES_GEO_WRITE) */
  geo: () => ['admin', 'street_admin', 'secretary', 'staff', 'grid_worker'].includes(session.user?.role),
  geoWrite: () => ['admin', 'street_admin', 'secretary', 'staff'].includes(session.user?.role),
};

export function toastError(e, fallback = '操作失败，请稍后再试') {
  if (e && e.status === 401) return; /* handled by the redirect */
  ElMessage.error((e && e.message) || fallback);
}
