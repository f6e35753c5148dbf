/*
 * The Vant components the home page does not need (forms, lists, tabs,
 * pop-ups) and their styles, with those of the dialogs and the image
 * preview the pages open. Loaded with the first other page (main.js), so
 * the 长辈版 home on a slow network carries only what it shows.
 */
import { Dialog, Field, Form, List, Popup, Switch, Tab, Tabs } from 'vant';
import 'vant/es/dialog/style/index.mjs';
import 'vant/es/field/style/index.mjs';
import 'vant/es/form/style/index.mjs';
import 'vant/es/list/style/index.mjs';
import 'vant/es/popup/style/index.mjs';
import 'vant/es/switch/style/index.mjs';
import 'vant/es/tab/style/index.mjs';
import 'vant/es/tabs/style/index.mjs';
import 'vant/es/image-preview/style/index.mjs';
import 'vant/es/image/style/index.mjs';
import 'vant/es/collapse/style/index.mjs';
import 'vant/es/collapse-item/style/index.mjs';
import 'vant/es/notify/style/index.mjs';

export function install(app) {
  for (const c of [Dialog, Field, Form, List, Popup, Switch, Tab, Tabs]) app.use(c);
}
