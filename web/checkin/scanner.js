// Reads QR codes from the camera: the browser's BarcodeDetector when it has one, else jsQR in a worker.

const FRAME_INTERVAL_MS = 150;
const MAX_WIDTH = 720;

export function cameraSupported() {
  return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) && window.isSecureContext !== false;
}

export class QrScanner {
  /** onText(text) gets every decoded QR payload; onError(err) when the camera stops on its own. */
  constructor(video, { onText, onError }) {
    this.video = video;
    this.onText = onText;
    this.onError = onError || (() => {});
    this.stream = null;
    this.timer = 0;
    this.detector = null;
    this.worker = null;
    this.canvas = null;
    this.busy = false;
  }

  get running() { return !!this.stream; }

  async start() {
    if (this.stream) return;
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    for (const track of this.stream.getVideoTracks()) {
      track.addEventListener('ended', () => { this.stop(); this.onError(new Error('ended')); });
    }
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.setAttribute('playsinline', '');
    await this.video.play();
    await this.pickDecoder();
    this.schedule();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
    if (this.worker) { this.worker.terminate(); this.worker = null; }
    this.busy = false;
  }

  async pickDecoder() {
    if ('BarcodeDetector' in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes('qr_code')) {
          this.detector = new window.BarcodeDetector({ formats: ['qr_code'] });
          return;
        }
      } catch { /* fall back to jsQR */ }
    }
    // The vendored jsQR decoder runs in a worker so decoding never stalls typing at the desk.
    this.worker = new Worker(new URL('scan-worker.js', import.meta.url));
    this.canvas = document.createElement('canvas');
  }

  schedule() {
    if (!this.stream) return;
    this.timer = setTimeout(() => this.tick(), FRAME_INTERVAL_MS);
  }

  async tick() {
    if (!this.stream || this.busy) { this.schedule(); return; }
    const v = this.video;
    if (v.readyState < 2 || !v.videoWidth) { this.schedule(); return; }
    this.busy = true;
    try {
      const text = this.detector ? await this.detectNative() : await this.detectWorker();
      if (text) this.onText(text);
    } catch { /* a frame that fails to decode is simply skipped */ }
    this.busy = false;
    this.schedule();
  }

  async detectNative() {
    const codes = await this.detector.detect(this.video);
    return codes.length ? codes[0].rawValue : null;
  }

  detectWorker() {
    const v = this.video;
    const scale = Math.min(1, MAX_WIDTH / v.videoWidth);
    const w = Math.round(v.videoWidth * scale);
    const h = Math.round(v.videoHeight * scale);
    const c = this.canvas;
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(v, 0, 0, w, h);
    const img = ctx.getImageData(0, 0, w, h);
    const worker = this.worker;
    return new Promise((resolve) => {
      const done = (e) => { worker.removeEventListener('message', done); resolve(e.data && e.data.text); };
      worker.addEventListener('message', done);
      worker.postMessage({ width: w, height: h, buffer: img.data.buffer }, [img.data.buffer]);
    });
  }
}
