// A showtime's door on its back-office page (/admin/showtimes/{id}): admitted and sold, read
// again every few seconds while the page is in view, so the counts move as ushers scan.

const door = document.querySelector('dl[data-door]');
const EVERY_MS = 5000;

async function refresh() {
  if (document.visibilityState !== 'visible') return;
  try {
    // A session that ended is answered with a redirect to the login page: not followed here
    // (it would put the login form in the counts), but by the whole page.
    const answer = await fetch(door.dataset.door, { credentials: 'same-origin', redirect: 'manual' });
    if (answer.type === 'opaqueredirect') {
      window.location.reload();
    } else if (answer.ok) {
      door.innerHTML = await answer.text();
    }
  } catch {
    // Offline for a moment: the next turn tries again.
  }
}

if (door) setInterval(refresh, EVERY_MS);
