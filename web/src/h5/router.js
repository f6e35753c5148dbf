import { createRouter, createWebHashHistory } from 'vue-router';
import { api, me, loadMe, bindRouter, PENDING_PAGES } from './session.js';
import { showToast } from 'vant';
import Home from './views/Home.vue';

/*
 * Only the home is in the first script; every other page is its own chunk
 * (meta.light: the page needs no more of Vant than main.js registers).
 */

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true, title: '登录' } },
  { path: '/', redirect: { name: 'home' } },
  { path: '/home', name: 'home', component: Home, meta: { title: '我的家', tab: true, light: true } },
  { path: '/community', name: 'community', component: () => import('./views/Community.vue'), meta: { title: '我的社区', tab: true } },
  { path: '/mine', name: 'mine', component: () => import('./views/Mine.vue'), meta: { title: '我的', tab: true } },
  { path: '/assistant', name: 'assistant', component: () => import('./views/Assistant.vue'), meta: { title: '社区助手' } },
  { path: '/rooms', name: 'rooms', component: () => import('./views/Rooms.vue'), meta: { title: '活动室预约', tab: true } },
  { path: '/rooms/:id(\\d+)', name: 'room', component: () => import('./views/Room.vue'), meta: { title: '活动室' } },
  { path: '/rooms/:id(\\d+)/checkin', name: 'checkin', component: () => import('./views/Checkin.vue'), meta: { title: '到场签到' } },
  { path: '/meetings/:id(\\d+)/checkin', name: 'meeting-checkin', component: () => import('./views/MeetingCheckin.vue'), meta: { title: '议事会签到' } },
  { path: '/cases', name: 'cases', component: () => import('./views/MyCases.vue'), meta: { title: '我的报事', tab: true } },
  { path: '/cases/new', name: 'case-report', component: () => import('./views/CaseReport.vue'), meta: { title: '我要报事' } },
  { path: '/cases/:id(\\d+)', name: 'case', component: () => import('./views/Case.vue'), meta: { title: '报事详情' } },
  { path: '/care', name: 'care', component: () => import('./views/CareHome.vue'), meta: { title: '关爱结对' } },
  { path: '/care/visit/:id(\\d+)', name: 'care-visit', component: () => import('./views/CareVisit.vue'), meta: { title: '记录走访' } },
  { path: '/community/services', name: 'community-services', component: () => import('./views/CommunityServices.vue'), meta: { title: '社区服务清单' } },
  { path: '/funds', name: 'funds', component: () => import('./views/Funds.vue'), meta: { title: '社区自治金' } },
  { path: '/funds/new', name: 'funds-apply', component: () => import('./views/FundsApply.vue'), meta: { title: '申请自治金' } },
  { path: '/funds/:id(\\d+)', name: 'funds-project', component: () => import('./views/FundsProject.vue'), meta: { title: '自治金项目' } },
  { path: '/topics', name: 'topics', component: () => import('./views/Topics.vue'), meta: { title: '社区议事' } },
  { path: '/topics/new', name: 'topic-new', component: () => import('./views/TopicNew.vue'), meta: { title: '提议题' } },
  { path: '/topics/:id(\\d+)', name: 'topic', component: () => import('./views/Topic.vue'), meta: { title: '议题' } },
  { path: '/votes', name: 'votes', component: () => import('./views/Votes.vue'), meta: { title: '我的表决' } },
  { path: '/votes/:id(\\d+)', name: 'vote', component: () => import('./views/Vote.vue'), meta: { title: '表决' } },
  { path: '/votes/:id(\\d+)/receipt', name: 'vote-receipt', component: () => import('./views/VoteReceipt.vue'), meta: { title: '查验选票' } },
  { path: '/activities', name: 'activities', component: () => import('./views/Activities.vue'), meta: { title: '社区活动' } },
  { path: '/activities/mine', name: 'my-activities', component: () => import('./views/MyActivities.vue'), meta: { title: '我的活动' } },
  { path: '/activities/:id(\\d+)', name: 'activity', component: () => import('./views/Activity.vue'), meta: { title: '活动详情' } },
  { path: '/activities/:id(\\d+)/checkin', name: 'activity-checkin', component: () => import('./views/ActivityCheckin.vue'), meta: { title: '活动签到' } },
  { path: '/points', name: 'points', component: () => import('./views/MyPoints.vue'), meta: { title: '我的积分' } },
  { path: '/offers', name: 'offers', component: () => import('./views/Offers.vue'), meta: { title: '商户优惠' } },
  { path: '/offers/redeem/:token', name: 'offer-redeem', component: () => import('./views/OfferRedeem.vue'), meta: { title: '积分兑换' } },
  { path: '/volunteers', name: 'volunteers', component: () => import('./views/Volunteer.vue'), meta: { title: '志愿者中心' } },
  { path: '/grid', name: 'grid', component: () => import('./views/Grid.vue'), meta: { title: '网格工作台' } },
  { path: '/announcements', name: 'announcements', component: () => import('./views/Announcements.vue'), meta: { title: '社区通知' } },
  { path: '/announcements/:id(\\d+)', name: 'announcement', component: () => import('./views/Announcement.vue'), meta: { title: '通知详情' } },
  { path: '/notices', name: 'notices', component: () => import('./views/Notices.vue'), meta: { title: '消息' } },
  { path: '/nearby', name: 'nearby', component: () => import('./views/Nearby.vue'), meta: { title: '我家附近' } },
  { path: '/bookings', name: 'bookings', component: () => import('./views/MyBookings.vue'), meta: { title: '我的预约' } },
  { path: '/register/resubmit', name: 'resubmit', component: () => import('./views/Resubmit.vue'), meta: { title: '重新提交住址' } },
  { path: '/register', name: 'register', component: () => import('./views/Register.vue'), meta: { public: true, title: '手机号注册' } },
  { path: '/activate', name: 'activate', component: () => import('./views/Activate.vue'), meta: { public: true, title: '激活账号' } },
  { path: '/password', name: 'password', component: () => import('./views/Password.vue'), meta: { title: '修改密码' } },
  { path: '/kiosk/:token', name: 'kiosk', component: () => import('./views/Kiosk.vue'), meta: { public: true, title: '活动室门牌' } },
  { path: '/:pathMatch(.*)*', redirect: { name: 'home' } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });
bindRouter(router);

/* a registration waiting for staff opens only the pages it may use; the others show home's notice */
const pendingOk = (to) => !me.pending || PENDING_PAGES.includes(to.name) || { name: 'home' };

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (me.loaded) return pendingOk(to);
  if (!api.signedIn) return { name: 'login', query: to.fullPath !== '/home' ? { redirect: to.fullPath } : {} };
  try {
    await loadMe();
    return pendingOk(to);
  } catch (e) {
    if (e.status === 401 || !api.signedIn) return { name: 'login', query: to.fullPath !== '/home' ? { redirect: to.fullPath } : {} };
    return true; /* network trouble: the page shows it */
  }
});

router.afterEach((to) => {
  try {
    sessionStorage.removeItem('linli.retried');
  } catch {
    /* no storage */
  }
  document.title = (to.meta.title || '居民服务') + ' · 邻里';
});

/*
 * A page's script did not arrive (a dropped connection on a weak signal, or a
 * new version deployed while this one was open, whose old files are gone):
 * load the page afresh once; if that fails too, say so instead of a blank page.
 */
router.onError((err, to) => {
  if (!/dynamically imported module|module script failed|Unable to preload/i.test(String(err?.message))) return;
  const key = 'linli.retried';
  let retried = null;
  try {
    retried = sessionStorage.getItem(key);
    sessionStorage.setItem(key, to.fullPath);
  } catch {
    /* no storage: no retry, the message below */
  }
  if (retried !== to.fullPath && to?.fullPath) {
    location.replace(location.pathname + location.search + '#' + to.fullPath);
    location.reload();
    return;
  }
  showToast('网络不好，页面没有打开，请稍后再试');
});

