// A showtime's door on its back-office page (/admin/showtimes/{id}): admitted and sold, read
// again every few seconds while the page is in view, so the counts move as ushers scan.

const door = document.querySelector('dl[data-door]');
const EVERY_MS = 5000;

async function refresh() {
  if (document.visibilityState !== 'visible') return;
  try {
    const answer = await fetch(door.dataset.door, { credentials: 'same-origin' });
    if (answer.ok) door.innerHTML = await answer.text();
  } catch {
    // Offline for a moment: the next turn tries again.
  }
}

if (door) setInterval(refresh, EVERY_MS);
