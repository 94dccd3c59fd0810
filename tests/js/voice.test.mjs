// Voice: range and hysteresis decisions, who offers, SDP munging, microphone helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  distance, isOfferer, radioRetryDelayMs, runtimeWanted, voiceInRange, VOICE_CONNECT_RANGE, VOICE_RELEASE_RANGE,
} from '../../web/js/range-rules.js';
import { mungeOpus, sessionId } from '../../web/js/sdp.js';
import { calibratedGain } from '../../web/js/microphone.js';
import { parseMicGain } from '../../web/js/mic-gain-mode.js';

test('voice connects within the hearing range and is released a little beyond it', () => {
  assert.equal(VOICE_CONNECT_RANGE, 20);
  assert.ok(VOICE_RELEASE_RANGE > VOICE_CONNECT_RANGE);
  assert.equal(voiceInRange(false, 20), true);
  assert.equal(voiceInRange(false, 20.5), false);
  assert.equal(voiceInRange(true, 21), true); // on the border: stays connected
  assert.equal(voiceInRange(true, VOICE_RELEASE_RANGE + 0.1), false);
  // Walking back and forth across 20 does not flap.
  let wanted = false;
  const states = [19, 20.4, 21, 20.2, 21.5, 19.8].map((d) => { wanted = voiceInRange(wanted, d); return wanted; });
  assert.deepEqual(states, [true, true, true, true, true, true]);
  assert.equal(distance({ x: 0, y: 0 }, { x: 3, y: 4 }), 5);
});

test('exactly one side of a pair offers', () => {
  for (const [a, b] of [['1', '2'], ['10', '9'], ['abc', 'abd'], ['c7f3', '0a1b']]) {
    assert.notEqual(isOfferer(a, b), isOfferer(b, a));
  }
  assert.equal(isOfferer('a', 'a'), false);
});

test('radio and emit runtimes start within range + 5 and stay until beyond range + 8', () => {
  assert.equal(runtimeWanted(false, 15, 10), true);
  assert.equal(runtimeWanted(false, 15.1, 10), false);
  assert.equal(runtimeWanted(true, 18, 10), true);
  assert.equal(runtimeWanted(true, 18.1, 10), false);
  assert.equal(radioRetryDelayMs(1), 5000);
  assert.equal(radioRetryDelayMs(6), 60000);
});

const CHROME_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  '',
].join('\r\n');

test('the Opus fmtp line carries stereo, 128 kbit/s, FEC and no DTX', () => {
  const munged = mungeOpus(CHROME_OFFER);
  const fmtp = munged.split('\r\n').find((line) => line.startsWith('a=fmtp:111 '));
  assert.equal(fmtp, 'a=fmtp:111 minptime=10;useinbandfec=1;maxaveragebitrate=128000;stereo=1;sprop-stereo=1;usedtx=0');
  assert.ok(munged.includes('a=fmtp:63 111/111'), 'other codecs untouched');
  assert.ok(munged.endsWith('\r\n'));
  assert.equal(mungeOpus(munged), munged, 'idempotent');
  const bare = CHROME_OFFER.replace('a=fmtp:111 minptime=10;useinbandfec=1\r\n', '');
  assert.ok(mungeOpus(bare).includes('a=rtpmap:111 opus/48000/2\r\na=fmtp:111 maxaveragebitrate=128000;stereo=1;sprop-stereo=1;useinbandfec=1;usedtx=0'));
  assert.equal(mungeOpus('v=0\r\n'), 'v=0\r\n');
});

test('session ids tell a new connection from a renegotiation', () => {
  assert.equal(sessionId(CHROME_OFFER), '4611731400430051336');
  assert.equal(sessionId('nothing'), '');
});

test('microphone helpers', () => {
  assert.equal(calibratedGain(0), null);
  assert.equal(calibratedGain(0.04), 2);
  assert.equal(calibratedGain(1), 0.5);
  assert.equal(calibratedGain(0.005), 4);
  assert.equal(parseMicGain(' 1.5 '), 1.5);
  assert.equal(parseMicGain('0.4'), null);
  assert.equal(parseMicGain('abc'), null);
  assert.equal(parseMicGain(''), null);
  assert.equal(parseMicGain('4'), 4);
});
