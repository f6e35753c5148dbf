import { reactive } from 'vue';
import { showToast } from 'vant';
import { createApi } from '../shared/api.js';
import { createInbox } from '../shared/notices.js';
import { accountElder, accountElderEnd } from './elder.js';

/* pending: registered by phone, her address waits for staff (registration: what she sent) */
export const me = reactive({ user: null, community: null, household: null, pending: false, registration: null, loaded: false });

/* the pages a pending account may open (the server's ROUTE_PENDING) */
export const PENDING_PAGES = ['home', 'assistant', 'announcements', 'announcement', 'notices', 'password', 'mine', 'resubmit'];

let router = null;
export function bindRouter(r) {
  router = r;
}

export const api = createApi({
  storageKey: 'linli.h5.token',
  onUnauthorized(err) {
    const wasIn = me.loaded;
    me.loaded = false;
    me.user = null;
    accountElderEnd();
    /* Before the first page is shown the router guard handles a 401 itself. */
    if (!router || !wasIn) return;
    const cur = router.currentRoute.value;
    if (cur.name === 'login') return;
    showToast(err.message || '登录已过期，请重新登录');
    router.replace({ name: 'login', query: { redirect: cur.fullPath } });
  },
});

/* The /me that elder-boot.js asked for before the scripts ran: good for the first loadMe only. */
async function earlyMe() {
  const early = window.linliEarlyMe;
  window.linliEarlyMe = null;
  if (!early) return null;
  try {
    const res = await early;
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

export async function loadMe() {
  const d = (await earlyMe()) || (await api.get('/me'));
  me.user = d.user || null;
  me.community = d.community || null;
  me.household = d.household || null;
  me.pending = !!d.pending;
  me.registration = d.registration || null;
  me.loaded = true;
  accountElder(d.preferences ? d.preferences.elder_mode : null,
    (on) => api.request('PUT', '/account/preferences', { body: { elder_mode: on } }));
  return me;
}

export function clearMe() {
  window.linliEarlyMe = null; /* from before a login or a logout: not this user's */
  accountElderEnd();
  me.user = null;
  me.community = null;
  me.household = null;
  me.pending = false;
  me.registration = null;
  me.loaded = false;
}

/* The notice bell: the user's unread count, refreshed by the pages that show it. */
export const inbox = createInbox(api);
export const notices = inbox.state;
export const loadUnread = inbox.loadUnread;
