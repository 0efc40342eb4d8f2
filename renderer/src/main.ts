import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { installBridge } from './bridge/use-bridge.ts';
import { bridgeUrlFor, WebSocketBridge } from './bridge/ws-bridge.ts';
import { desktopIpc, IpcBridge } from './bridge/ipc-bridge.ts';

// In the desktop app the preload exposes IPC (window.samsaIpc); the web host's page talks WebSocket.
const ipc = desktopIpc(window);
installBridge(ipc ? new IpcBridge(ipc) : new WebSocketBridge(bridgeUrlFor(window.location)));

createApp(App).use(createPinia()).mount('#app');
