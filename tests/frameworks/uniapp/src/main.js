import { createSSRApp } from 'vue';
import App from './App.vue';
import { startCheck } from './check.js';

startCheck(typeof wx !== 'undefined' ? wx : tt);

export function createApp() {
  const app = createSSRApp(App);
  return { app };
}
