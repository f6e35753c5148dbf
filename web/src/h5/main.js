import './elder.js';
import { createApp } from 'vue';
/*
 * What every page needs, with only these components' styles (not the whole
 * of Vant's); vant-more.js brings the rest with the first page that uses it.
 */
import {
  Badge, Button, Cell, CellGroup, Empty, Icon, Loading, NavBar, PullRefresh, Skeleton, Tabbar, TabbarItem, Tag,
} from 'vant';
import 'vant/es/style/base.css';
import 'vant/es/badge/style/index.mjs';
import 'vant/es/button/style/index.mjs';
import 'vant/es/cell/style/index.mjs';
import 'vant/es/cell-group/style/index.mjs';
import 'vant/es/empty/style/index.mjs';
import 'vant/es/icon/style/index.mjs';
import 'vant/es/loading/style/index.mjs';
import 'vant/es/nav-bar/style/index.mjs';
import 'vant/es/pull-refresh/style/index.mjs';
import 'vant/es/skeleton/style/index.mjs';
import 'vant/es/tabbar/style/index.mjs';
import 'vant/es/tabbar-item/style/index.mjs';
import 'vant/es/tag/style/index.mjs';
import 'vant/es/toast/style/index.mjs';
import App from './App.vue';
import { router } from './router.js';
import './h5.css';

const app = createApp(App);
for (const c of [Badge, Button, Cell, CellGroup, Empty, Icon, Loading, NavBar, PullRefresh, Skeleton, Tabbar, TabbarItem, Tag])
  app.use(c);

/* pages other than the home: fetch the rest of Vant alongside the page's own code */
let more = null;
const loadMore = () => (more ??= import('./vant-more.js').then((m) => m.install(app)));
router.beforeEach((to) => {
  if (!to.meta.light) loadMore();
});
router.beforeResolve((to) => (to.meta.light ? true : loadMore().then(() => true)));

app.use(router);
app.mount('#app');
