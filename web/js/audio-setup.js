// The "Audio Settings" dialog (client.md §1): choose the microphone and the speakers,
// remembered in settings, and the device summary line ("Input: …", "Output: …").
import { micErrorText, micUnavailableText } from './mic-errors.js';

export class AudioSetup {
  constructor(doc, settings, audio) {
    this.settings = settings;
    this.audio = audio;
    this.dialog = doc.getElementById('audio-dialog');
    this.input = doc.getElementById('input-select');
    this.output = doc.getElementById('output-select');
    this.note = doc.getElementById('audio-dialog-note');
    this.inputSummary = doc.getElementById('input-device');
    this.outputSummary = doc.getElementById('output-device');
    this.opener = null;
    doc.getElementById('audio-dialog-close').addEventListener('click', () => this.close());
    // The close event comes a task after the dialog closed: by then the browser may have
    // restored the focus and the user may have moved on, so only claim a focus left nowhere.
    this.dialog.addEventListener('close', () => {
      const active = doc.activeElement;
      if (!active || active === doc.body || this.dialog.contains(active)) this.opener?.focus();
    });
    this.input.addEventListener('change', () => this.#choose('input', this.input));
    this.output.addEventListener('change', () => this.#choose('output', this.output));
    this.updateSummary();
  }

  updateSummary() {
    const input = this.settings.device('input');
    const output = this.settings.device('output');
    this.inputSummary.textContent = `Input: ${input?.name || 'default'}`;
    this.outputSummary.textContent = `Output: ${output?.name || 'default'}`;
  }

  #choose(kind, select) {
    const option = select.selectedOptions[0];
    this.settings.setDevice(kind, option?.value || '', option?.value ? option.textContent : '');
    if (kind === 'output') this.audio.applyOutputDevice();
    else this.audio.applyInputDevice();
    this.updateSummary();
  }

  async open(opener) {
    this.opener = opener || null;
    this.dialog.showModal();
    await this.#fill();
  }

  close() {
    this.dialog.close();
  }

  async #fill() {
    const media = navigator.mediaDevices;
    if (!media?.enumerateDevices) {
      this.note.textContent = micUnavailableText({ secure: globalThis.isSecureContext, hasApi: false });
      return;
    }
    this.note.textContent = '';
    let devices = await media.enumerateDevices().catch(() => []);
    if (devices.some((d) => d.kind === 'audioinput' && !d.label) && media.getUserMedia) {
      try {
        const stream = await media.getUserMedia({ audio: true });
        stream.getTracks().forEach((track) => track.stop());
        devices = await media.enumerateDevices();
      } catch (error) {
        this.note.textContent = micErrorText(error); // device names stay hidden until access is allowed
      }
    }
    this.#options(this.input, devices.filter((d) => d.kind === 'audioinput'), this.settings.device('input'));
    this.#options(this.output, devices.filter((d) => d.kind === 'audiooutput'), this.settings.device('output'));
    if (!devices.some((d) => d.kind === 'audioinput')) {
      this.note.textContent = 'No microphone found. Connect a microphone.';
    }
  }

  #options(select, devices, chosen) {
    const options = [new Option('System default', '')];
    devices.forEach((device, index) => {
      if (device.deviceId === 'default') return;
      options.push(new Option(device.label || `Device ${index + 1}`, device.deviceId));
    });
    select.replaceChildren(...options);
    select.value = chosen && devices.some((d) => d.deviceId === chosen.id) ? chosen.id : '';
  }
}
