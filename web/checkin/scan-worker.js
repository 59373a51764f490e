// Decodes QR codes from camera frames with the vendored jsQR (vendor/jsQR.js, Apache-2.0), off the main thread.
/* global jsQR */
importScripts('vendor/jsQR.js');

self.onmessage = (e) => {
  const { width, height, buffer } = e.data || {};
  let text = null;
  try {
    const found = jsQR(new Uint8ClampedArray(buffer), width, height, { inversionAttempts: 'attemptBoth' });
    if (found && found.data) text = found.data;
  } catch { /* unreadable frame */ }
  self.postMessage({ text });
};
