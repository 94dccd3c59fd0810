// URLs built relative to the grid's base path (upstream-0.1.md §10) and the media-proxy
// decisions of sound-url.js (§14.1, adapted: docs/client.md "Sound").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  basePath, mediaProxyUrl, pageUrl, websocketUrl,
} from '../../web/js/base-path.js';
import {
  mediaRoute, proxiedUrl, soundUrl, streamSource, streamStartUrl,
} from '../../web/js/sound-url.js';

const loc = (href) => {
  const u = new URL(href);
  return { protocol: u.protocol, host: u.host, origin: u.origin, pathname: u.pathname };
};

test('base path is the page folder', () => {
  assert.equal(basePath(loc('http://h/')), '/');
  assert.equal(basePath(loc('http://h/index.html')), '/');
  assert.equal(basePath(loc('http://h/lobby/')), '/lobby/');
  assert.equal(basePath(loc('http://h/lobby/index.html?v=1')), '/lobby/');
});

test('websocket, cookie helper and proxy URLs live under the base path', () => {
  assert.equal(websocketUrl(loc('http://127.0.0.1:8765/')), 'ws://127.0.0.1:8765/ws');
  assert.equal(websocketUrl(loc('https://grid.example/lobby/')), 'wss://grid.example/lobby/ws');
  assert.equal(pageUrl('auth/session/set', loc('https://grid.example/lobby/')), 'https://grid.example/lobby/auth/session/set');
  assert.equal(pageUrl('/client_branding.json', loc('https://grid.example/')), 'https://grid.example/client_branding.json');
  assert.equal(mediaProxyUrl('http://r.example/a b', loc('https://grid.example/lobby/')),
    'https://grid.example/lobby/media_proxy.php?url=http%3A%2F%2Fr.example%2Fa%20b');
});

const https = loc('https://grid.example/lobby/');
const http = loc('http://grid.example/');

test('route: mixed content and Dropbox go through the proxy', () => {
  assert.equal(mediaRoute('http://radio.example/live', https), 'proxy');
  assert.equal(mediaRoute('https://www.dropbox.com/s/x/a.mp3?dl=0', http), 'proxy');
  assert.equal(mediaRoute('https://dl.dropboxusercontent.com/a.mp3', http), 'proxy');
  assert.equal(mediaRoute('https://notdropbox.com/a.mp3', http), 'cors');
});

test('route: same origin, relative, data and the proxy itself are direct', () => {
  assert.equal(mediaRoute('https://grid.example/lobby/sounds/a.ogg', https), 'direct');
  assert.equal(mediaRoute('sounds/a.ogg', https), 'direct');
  assert.equal(mediaRoute('data:audio/ogg;base64,AA', https), 'direct');
  assert.equal(mediaRoute('https://grid.example/lobby/media_proxy.php?url=x', https), 'direct');
  assert.equal(mediaRoute('https://other.example/a.ogg', https), 'cors');
  assert.equal(mediaRoute('http://radio.example/live', http), 'cors');
});

test('one-shot item sounds on another origin always use the proxy', () => {
  assert.equal(soundUrl('https://other.example/a.ogg', https),
    'https://grid.example/lobby/media_proxy.php?url=https%3A%2F%2Fother.example%2Fa.ogg');
  assert.equal(soundUrl('http://other.example/a.ogg', http),
    'http://grid.example/media_proxy.php?url=http%3A%2F%2Fother.example%2Fa.ogg');
  assert.equal(soundUrl('ping.ogg', https), 'sounds/ping.ogg');
  assert.equal(soundUrl('http://grid.example/sounds/a.ogg', http), 'http://grid.example/sounds/a.ogg');
});

test('streams try CORS first and keep the proxy as the fallback', () => {
  assert.deepEqual(streamSource('https://other.example/w.ogg', https), {
    url: 'https://other.example/w.ogg',
    proxyFallback: 'https://grid.example/lobby/media_proxy.php?url=https%3A%2F%2Fother.example%2Fw.ogg',
  });
  assert.deepEqual(streamSource('http://radio.example/live', https), {
    url: 'https://grid.example/lobby/media_proxy.php?url=http%3A%2F%2Fradio.example%2Flive', proxyFallback: null,
  });
  assert.deepEqual(streamSource('sounds/loop.ogg', https), { url: 'sounds/loop.ogg', proxyFallback: null });
  assert.equal(streamSource('none', https), null);
});

test('radio start URL: the cache-buster is inside the proxied target, never twice proxied', () => {
  assert.equal(streamStartUrl('http://radio.example/live', 7, https),
    `https://grid.example/lobby/media_proxy.php?url=${encodeURIComponent('http://radio.example/live?chgrid_start=7')}`);
  const proxied = proxiedUrl('http://radio.example/live', https);
  assert.equal(mediaRoute(proxied, https), 'direct');
});
