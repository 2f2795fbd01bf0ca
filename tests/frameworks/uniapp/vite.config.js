import { defineConfig } from 'vite';
import uni from '@dcloudio/vite-plugin-uni';
import wxsocket from 'wxsocket/vite';

export default defineConfig({
  plugins: [uni(), wxsocket()],
});
