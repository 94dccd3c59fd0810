// How chat lines read and sound (client.md §1, §5.8): the text announced and kept in the
// history for each chat_message, and which sound goes with it. Pure.

/** The line spoken for a chat_message packet. */
export function chatLine(packet) {
  if (packet.system || packet.action || !packet.senderNickname) return packet.message;
  return `${packet.senderNickname}: ${packet.message}`;
}

/** The sound cue of a chat_message: 'action', 'logon', 'logout', 'notify', 'blip' or null. */
export function chatSound(packet) {
  if (packet.action) return 'action';
  if (!packet.system) return null;
  const text = packet.message;
  if (/^Welcome\. Logged in as /.test(text) || / has logged in\.$/.test(text)) return 'logon';
  if (/ has logged out\.$/.test(text)) return 'logout';
  if (/ is now known as /.test(text) || /^You are now known as /.test(text) || /^Server rebooting in /.test(text)) return 'notify';
  if (text === 'Server reboot already in progress.') return 'blip';
  return null;
}

/** The nickname in a "{nickname} has logged in." system line, or null. */
export function loggedInNickname(packet) {
  if (!packet.system) return null;
  const match = /^(.+) has logged in\.$/s.exec(packet.message);
  return match ? match[1] : null;
}
