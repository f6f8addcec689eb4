// The door's scanner (/admin/checkin): where the browser has a BarcodeDetector, the camera
// reads a ticket's QR code into the form and sends it. Typing the code always works.

const form = document.querySelector('form.scanner');
const camera = form?.querySelector('.camera');

if (form && camera && 'BarcodeDetector' in window && navigator.mediaDevices) {
  camera.hidden = false;
  const video = document.getElementById('camera-view');
  document.getElementById('scan').addEventListener('click', async () => {
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const look = async () => {
      const [found] = await detector.detect(video);
      if (found) {
        stream.getTracks().forEach((track) => track.stop());
        form.elements.code.value = found.rawValue;
        form.submit();
        return;
      }
      requestAnimationFrame(look);
    };
    look();
  });
}
