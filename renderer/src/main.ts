import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { installBridge } from './bridge/use-bridge.ts';
import { bridgeUrlFor, WebSocketBridge } from './bridge/ws-bridge.ts';
import type { Bridge } from '../../core/console/bridge.ts';

// The desktop shell's preload exposes its Bridge as window.samsa; the web host's page talks WebSocket.
const preload = (window as unknown as { samsa?: Bridge }).samsa;
installBridge(preload ?? new WebSocketBridge(bridgeUrlFor(window.location)));

createApp(App).use(createPinia()).mount('#app');
