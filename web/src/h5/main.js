import './elder.js';
import { createApp } from 'vue';
import 'vant/lib/index.css';
import {
  Badge, Button, Cell, CellGroup, Empty, Field, Form, Icon, Loading, NavBar,
  PullRefresh, Skeleton, Switch, Tabbar, TabbarItem, Tag, Popup, Tabs, Tab, Dialog, List,
} from 'vant';
import App from './App.vue';
import { router } from './router.js';
import './h5.css';

const app = createApp(App);
for (const c of [Badge, List, Button, Cell, CellGroup, Empty, Field, Form, Icon, Loading, NavBar, PullRefresh, Skeleton, Switch, Tabbar, TabbarItem, Tag, Popup, Tabs, Tab, Dialog])
  app.use(c);
app.use(router);
app.mount('#app');
