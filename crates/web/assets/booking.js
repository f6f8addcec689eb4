// The countdown of a held booking (/bookings/{id}): the minutes and seconds left, said to
// screen readers only at a few moments (not every second), and the page read again when the
// hold runs out (it then goes back to the seat map).

const countdown = document.getElementById('countdown');

if (countdown && countdown.dataset.expires) {
  const ends = Date.parse(countdown.dataset.expires);
  const clock = document.createElement('span');
  clock.className = 'clock';
  clock.setAttribute('aria-hidden', 'true');
  const said = document.createElement('span');
  said.className = 'visually-hidden';
  said.setAttribute('aria-live', 'polite');
  countdown.append(' ', clock, said);
  const announced = new Set();

  const tick = () => {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, '0');
    clock.textContent = `${minutes}:${seconds} left`;
    for (const moment of [300, 120, 60, 30]) {
      if (left <= moment && left > moment - 5 && !announced.has(moment)) {
        announced.add(moment);
        said.textContent = moment >= 60 ? `${moment / 60} minutes left to pay` : `${moment} seconds left to pay`;
      }
    }
    if (left === 0) {
      clearInterval(timer);
      window.location.reload();
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
}
