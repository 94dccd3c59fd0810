// The websocket to the server: connects to ws(s)://<host><base>ws (base-path.js), decodes
// and validates every frame (packets.js) and hands only valid packets on; a frame that
// fails is dropped and logged to the console, never half-applied.
import { parseServerFrame } from './packets.js';
import { websocketUrl } from './base-path.js';

export { websocketUrl };

export class ServerSocket {
  /**
   * @param {object} handlers {onOpen, onPacket(packet), onClose(event), onError}
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.ws = null;
  }

  get isOpen() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  open(url = websocketUrl()) {
    this.close();
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener('open', () => { if (this.ws === ws) this.handlers.onOpen?.(); });
    ws.addEventListener('error', (event) => { if (this.ws === ws) this.handlers.onError?.(event); });
    ws.addEventListener('close', (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.onClose?.(event);
    });
    ws.addEventListener('message', (event) => {
      if (this.ws !== ws) return;
      if (typeof event.data !== 'string') {
        console.warn('chgrid: dropped a binary frame');
        return;
      }
      const result = parseServerFrame(event.data);
      if (!result.ok) {
        console.warn(`chgrid: dropped server packet: ${result.reason}`, event.data.slice(0, 500));
        return;
      }
      this.handlers.onPacket(result.packet);
    });
  }

  send(packet) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(packet));
    return true;
  }

  /** Close without reporting the close to the handlers. */
  close() {
    const { ws } = this;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
  }
}
