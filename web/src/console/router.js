import { createRouter, createWebHashHistory } from 'vue-router';
import { api, session, loadSession, bindRouter, routeAllowed } from './session.js';

import Login from './views/Login.vue';
import Layout from './views/Layout.vue';

const routes = [
  { path: '/login', name: 'login', component: Login, meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: Layout,
    redirect: { name: 'dashboard' },
    children: [
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/Dashboard.vue'), meta: { title: '工作台', unit: true } },
      { path: 'buildings', name: 'buildings', component: () => import('./views/Buildings.vue'), meta: { title: '楼栋' } },
      { path: 'buildings/:id', name: 'building', component: () => import('./views/BuildingDetail.vue'), meta: { title: '楼栋详情', menu: 'buildings' } },
      { path: 'households/:id', name: 'household', component: () => import('./views/Household.vue'), meta: { title: '户详情', menu: 'buildings' } },
      { path: 'residents', name: 'residents', component: () => import('./views/Residents.vue'), meta: { title: '居民' } },
      { path: 'announcements', name: 'announcements', component: () => import('./views/Announcements.vue'), meta: { title: '通知公告' } },
      { path: 'import', name: 'import', component: () => import('./views/ImportExport.vue'), meta: { title: '导入导出' } },
      { path: 'assistant/kb', name: 'kb', component: () => import('./views/KnowledgeBase.vue'), meta: { title: '知识库', kb: true, menu: 'assistant/kb' } },
      { path: 'assistant/unanswered', name: 'unanswered', component: () => import('./views/AssistantUnanswered.vue'), meta: { title: '待处理问题', kb: true, menu: 'assistant/unanswered' } },
      { path: 'assistant/stats', name: 'assistant-stats', component: () => import('./views/AssistantStats.vue'), meta: { title: '助手统计', kb: true, menu: 'assistant/stats' } },
      { path: 'rooms', name: 'rooms', component: () => import('./views/Rooms.vue'), meta: { title: '功能室' } },
      { path: 'room-calendar', name: 'room-calendar', component: () => import('./views/RoomCalendar.vue'), meta: { title: '预约日历' } },
      { path: 'approvals', name: 'approvals', component: () => import('./views/Approvals.vue'), meta: { title: '预约审批', manageRooms: true } },
      { path: 'room-stats', name: 'room-stats', component: () => import('./views/RoomStats.vue'), meta: { title: '使用统计', roomStats: true } },
      { path: 'cases', name: 'cases', component: () => import('./views/Cases.vue'), meta: { title: '案件', cases: true } },
      { path: 'cases/:id(\\d+)', name: 'case', component: () => import('./views/CaseDetail.vue'), meta: { title: '案件详情', cases: true, menu: 'cases' } },
      { path: 'case-dashboard', name: 'case-dashboard', component: () => import('./views/CaseDashboard.vue'), meta: { title: '案件统计' } },
      { path: 'case-settings', name: 'case-settings', component: () => import('./views/CaseSettings.vue'), meta: { title: '案件设置', caseConfig: true } },
      { path: 'case-calendar', name: 'case-calendar', component: () => import('./views/CaseCalendar.vue'), meta: { title: '工作日历', caseConfig: true } },
      /* every console user has an inbox: cases marks it open to property users too */
      { path: 'notices', name: 'notices', component: () => import('./views/Notices.vue'), meta: { title: '消息', cases: true } },
      { path: 'analytics/services', name: 'analytics-services', component: () => import('./views/AnalyticsServices.vue'), meta: { title: '服务清单', menu: 'analytics/services' } },
      { path: 'funds', name: 'funds', component: () => import('./views/Funds.vue'), meta: { title: '自治金', funds: true } },
      /* /funds/applications/{id} is also the link of the notices funds.submitted, funds.street and funds.change */
      { path: 'funds/applications/new', name: 'funds-new', component: () => import('./views/FundsApplication.vue'), meta: { title: '新建自治金申请', funds: true, menu: 'funds' } },
      { path: 'funds/applications/:id(\\d+)', name: 'funds-application', component: () => import('./views/FundsApplication.vue'), meta: { title: '自治金申请', funds: true, menu: 'funds' } },
      { path: 'funds/report', name: 'funds-report', component: () => import('./views/FundsReport.vue'), meta: { title: '自治金年度报告', funds: true, menu: 'funds' } },
      /* 关爱: /care/people/{id} is also the link of the sweep's notices */
      { path: 'activities', name: 'activities', component: () => import('./views/Activities.vue'), meta: { title: '社区活动', activities: true } },
      { path: 'activities/:id(\\d+)', name: 'activity', component: () => import('./views/ActivityDetail.vue'), meta: { title: '活动详情', activities: true, menu: 'activities' } },
      /* 志愿者 (issue 18): volunteers, teams, the hours to review, the totals */
      { path: 'volunteers', name: 'volunteers', component: () => import('./views/Volunteers.vue'), meta: { title: '志愿者', activities: true, menu: 'volunteers' } },
      { path: 'volunteers/teams', name: 'volunteer-teams', component: () => import('./views/VolunteerTeams.vue'), meta: { title: '志愿队', activities: true, menu: 'volunteers' } },
      { path: 'volunteers/hours', name: 'volunteer-hours', component: () => import('./views/VolunteerHours.vue'), meta: { title: '时长审核', activities: true, menu: 'volunteers' } },
      { path: 'volunteers/totals', name: 'volunteer-totals', component: () => import('./views/VolunteerTotals.vue'), meta: { title: '时长统计', activities: true, menu: 'volunteers' } },
      { path: 'activity-stats', name: 'activity-stats', component: () => import('./views/ActivityStats.vue'), meta: { title: '活动统计', activities: true, menu: 'activities' } },
      { path: 'points', name: 'points', component: () => import('./views/Points.vue'), meta: { title: '积分', activities: true } },
      { path: 'merchants', name: 'merchants', component: () => import('./views/Merchants.vue'), meta: { title: '合作商户', activities: true } },
      { path: 'merchants/:id(\\d+)', name: 'merchant', component: () => import('./views/MerchantDetail.vue'), meta: { title: '商户详情', activities: true, menu: 'merchants' } },
      { path: 'care', name: 'care', component: () => import('./views/CareList.vue'), meta: { title: '关爱对象', care: true } },
      { path: 'care/people/:id(\\d+)', name: 'care-person', component: () => import('./views/CarePerson.vue'), meta: { title: '关爱档案', care: true, menu: 'care' } },
      { path: 'care/people/:id(\\d+)/assess', name: 'care-assess', component: () => import('./views/CareAssess.vue'), meta: { title: '能力评估', careManage: true, menu: 'care' } },
      { path: 'care/overdue', name: 'care-overdue', component: () => import('./views/CareOverdue.vue'), meta: { menu: 'care/overdue', title: '逾期看板', care: true } },
      { path: 'care/map', name: 'care-map', component: () => import('./views/CareMap.vue'), meta: { menu: 'care/map', title: '网格楼栋', care: true } },
      { path: 'care/stats', name: 'care-stats', component: () => import('./views/CareStats.vue'), meta: { menu: 'care/stats', title: '关爱统计', careStaff: true } },
      { path: 'care/settings', name: 'care-settings', component: () => import('./views/CareSettings.vue'), meta: { menu: 'care/settings', title: '关爱设置', careStaff: true } },
      /* 议事表决 (issue 16): topics and their meetings, votes with the live count, 加装电梯 */
      { path: 'votes/topics', name: 'votes-topics', component: () => import('./views/VotesTopics.vue'), meta: { title: '议题', votes: true, menu: 'votes/topics' } },
      { path: 'votes/topics/:id(\\d+)', name: 'votes-topic', component: () => import('./views/VotesTopic.vue'), meta: { title: '议题详情', votes: true, menu: 'votes/topics' } },
      { path: 'votes/meetings/:id(\\d+)', name: 'votes-meeting', component: () => import('./views/VotesMeeting.vue'), meta: { title: '议事会', votes: true, menu: 'votes/topics' } },
      { path: 'votes/list', name: 'votes-list', component: () => import('./views/VotesList.vue'), meta: { title: '表决', votes: true, menu: 'votes/list' } },
      { path: 'votes/:id(\\d+)', name: 'votes-vote', component: () => import('./views/VotesVote.vue'), meta: { title: '表决详情', votes: true, menu: 'votes/list' } },
      { path: 'votes/lifts', name: 'votes-lifts', component: () => import('./views/VotesLifts.vue'), meta: { title: '加装电梯', votes: true, menu: 'votes/lifts' } },
      { path: 'votes/lifts/:id(\\d+)', name: 'votes-lift', component: () => import('./views/VotesLift.vue'), meta: { title: '加装电梯项目', votes: true, menu: 'votes/lifts' } },
      { path: 'lifecircle', name: 'lifecircle', component: () => import('./views/Lifecircle.vue'), meta: { title: '15分钟生活圈', geo: true } },
      /* 社区分析 (issue 20): a community's portrait, the classification, key populations, staffing */
      { path: 'analytics/portrait', name: 'analytics-portrait', component: () => import('./views/AnalyticsPortrait.vue'), meta: { title: '社区画像', analytics: true, menu: 'analytics/portrait' } },
      { path: 'analytics/classification', name: 'analytics-classification', component: () => import('./views/AnalyticsClassify.vue'), meta: { title: '社区分类', analytics: true, menu: 'analytics/classification' } },
      { path: 'analytics/key-populations', name: 'analytics-key-populations', component: () => import('./views/AnalyticsKeyPopulations.vue'), meta: { title: '重点人群', analytics: true, menu: 'analytics/key-populations' } },
      { path: 'analytics/staffing', name: 'analytics-staffing', component: () => import('./views/AnalyticsStaffing.vue'), meta: { title: '人员配置建议', analytics: true, menu: 'analytics/staffing' } },
      { path: 'community-profile', name: 'community-profile', component: () => import('./views/CommunityProfile.vue'), meta: { title: '社区信息' } },
      { path: 'registrations', name: 'registrations', component: () => import('./views/Registrations.vue'), meta: { title: '注册审核', accounts: true } },
      { path: 'users', name: 'users', component: () => import('./views/Users.vue'), meta: { title: '账号管理', accounts: true } },
      { path: 'audit', name: 'audit', component: () => import('./views/Audit.vue'), meta: { title: '审计日志', audit: true } },
    ],
  },
  { path: '/announcements/:id(\\d+)/print', name: 'announcement-print', component: () => import('./views/AnnouncementPrint.vue'), meta: { title: '打印通知' } },
  { path: '/votes/meetings/:id(\\d+)/qr', name: 'votes-meeting-qr', component: () => import('./views/VotesMeetingQr.vue'), meta: { title: '议事会签到码', votes: true } },
  { path: '/rooms/:id(\\d+)/poster', name: 'room-poster', component: () => import('./views/RoomPoster.vue'), meta: { title: '活动室海报' } },
  { path: '/:pathMatch(.*)*', redirect: { name: 'dashboard' } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });
bindRouter(router);

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!api.signedIn && !session.loaded) {
    return { name: 'login', query: to.fullPath !== '/' && to.fullPath !== '/dashboard' ? { redirect: to.fullPath } : {} };
  }
  if (!session.loaded) {
    try {
      await loadSession();
    } catch (e) {
      if (e.status === 401) return { name: 'login', query: { redirect: to.fullPath } };
      /* Server unreachable: let the page show its own error state. */
    }
  }
  if (!routeAllowed(to)) return { name: 'dashboard' };
  return true;
});

router.afterEach((to) => {
  document.title = (to.meta.title ? to.meta.title + ' · ' : '') + '邻里社区治理工作台';
});
