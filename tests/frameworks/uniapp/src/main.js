import { createSSRApp } from 'vue';
import App from './App.vue';
import { startCheck } from './check.js';

startCheck();

export function createApp() {
  const app = createSSRApp(App);
  return { app };
}
