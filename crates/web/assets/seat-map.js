// The seat map of /showtimes/{id}: live seat states (the showtime's Server-Sent Events), the
// arrow keys between seats, and the total of the seats chosen. Without it the map is a form of
// checkboxes that works the same; this only makes it quicker to use and keeps it current.

const form = document.getElementById('hold');
const grid = document.querySelector('.seat-grid');

if (form && grid) {
  const seats = [...grid.querySelectorAll('input.seat')];
  const byLabel = new Map(seats.map((seat) => [seat.value, seat]));
  const total = document.getElementById('total');
  const note = document.getElementById('live-note');
  const currency = grid.dataset.currency || '';
  const intro = total.textContent;

  const money = (minor) => `${(minor / 100).toFixed(2)} ${currency}`;

  const showTotal = () => {
    const chosen = seats.filter((seat) => seat.checked);
    if (chosen.length === 0) {
      total.textContent = intro;
      return;
    }
    const sum = chosen.reduce((all, seat) => all + Number(seat.dataset.price), 0);
    const labels = chosen.map((seat) => seat.value).join(', ');
    const count = chosen.length === 1 ? '1 seat' : `${chosen.length} seats`;
    total.textContent = `${count} (${labels}): ${money(sum)}, booking fee included.`;
  };

  // A seat's accessible name says "taken" while it is.
  const setTaken = (seat, taken) => {
    const name = seat.getAttribute('aria-label').replace(/, taken$/, '');
    seat.setAttribute('aria-label', taken ? `${name}, taken` : name);
    seat.disabled = taken;
  };

  const apply = (labels, state) => {
    const lost = [];
    for (const label of labels) {
      const seat = byLabel.get(label);
      if (!seat) continue;
      const taken = state !== 'available';
      if (taken && seat.checked) {
        seat.checked = false;
        lost.push(label);
      }
      setTaken(seat, taken);
    }
    if (lost.length > 0) {
      note.textContent = `${lost.join(', ')} just went to someone else: choose another seat.`;
    }
    showTotal();
    roving();
  };

  // Seats chosen before a login (or kept after a refusal) are chosen again.
  for (const label of (form.dataset.chosen || '').split(',')) {
    const seat = byLabel.get(label);
    if (seat && !seat.disabled) seat.checked = true;
  }

  // One seat in the tab order: the first chosen, or the first free. The arrow keys move.
  const roving = () => {
    const current = seats.find((s) => s.tabIndex === 0 && !s.disabled)
      || seats.find((s) => s.checked && !s.disabled)
      || seats.find((s) => !s.disabled);
    for (const seat of seats) seat.tabIndex = seat === current ? 0 : -1;
  };

  const position = (seat) => [Number(seat.dataset.row), Number(seat.dataset.column)];

  // The free seat nearest `from` in a direction: along its row, or in the next row that has one.
  const next = (from, dRow, dColumn) => {
    const [row, column] = position(from);
    const free = seats.filter((s) => !s.disabled && s !== from);
    if (dRow === 0) {
      const along = free
        .filter((s) => position(s)[0] === row && Math.sign(position(s)[1] - column) === dColumn)
        .sort((a, b) => Math.abs(position(a)[1] - column) - Math.abs(position(b)[1] - column));
      return along[0];
    }
    const rows = [...new Set(free.map((s) => position(s)[0]))]
      .filter((r) => Math.sign(r - row) === dRow)
      .sort((a, b) => Math.abs(a - row) - Math.abs(b - row));
    if (rows.length === 0) return undefined;
    return free
      .filter((s) => position(s)[0] === rows[0])
      .sort((a, b) => Math.abs(position(a)[1] - column) - Math.abs(position(b)[1] - column))[0];
  };

  const moves = {
    ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0],
  };

  grid.addEventListener('keydown', (event) => {
    const move = moves[event.key];
    if (!move || !event.target.matches('input.seat')) return;
    event.preventDefault();
    const to = next(event.target, move[0], move[1]);
    if (to) {
      event.target.tabIndex = -1;
      to.tabIndex = 0;
      to.focus();
    }
  });
  // A wheelchair space chosen brings the free companion seat beside it (one step for both).
  grid.addEventListener('change', (event) => {
    const seat = event.target;
    if (seat.checked && seat.classList.contains('seat-accessible')) {
      const [row, column] = position(seat);
      const companion = seats.find((s) => s.classList.contains('seat-companion')
        && !s.disabled && !s.checked
        && position(s)[0] === row && Math.abs(position(s)[1] - column) === 1);
      if (companion) {
        companion.checked = true;
        note.textContent = `The companion seat ${companion.value} beside it is chosen too.`;
      }
    }
    showTotal();
  });
  grid.addEventListener('focusin', (event) => {
    if (!event.target.matches('input.seat')) return;
    for (const seat of seats) seat.tabIndex = seat === event.target ? 0 : -1;
  });

  roving();
  showTotal();

  // Live: a snapshot of every seat first (again after each reconnect), then each change.
  if (window.EventSource && form.dataset.live) {
    const live = new EventSource(form.dataset.live);
    live.addEventListener('snapshot', (event) => {
      const snapshot = JSON.parse(event.data);
      for (const state of ['available', 'held', 'sold', 'blocked']) {
        apply(snapshot[state] || [], state);
      }
    });
    live.addEventListener('seats', (event) => {
      const change = JSON.parse(event.data);
      apply(change.seats, change.state);
    });
  }
}
