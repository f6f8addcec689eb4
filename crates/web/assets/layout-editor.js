// The seat-map editor (/admin/auditoriums/{id}/layout). The layout is the textarea's text,
// which is what the form saves; this module draws that text as a grid of places and keeps
// grid and text in step both ways. A place is clicked, or reached with the arrow keys and
// changed with Space or Enter, through seat, aisle, wheelchair space, companion seat and
// premium seat. The preview with seat labels is drawn by the server (POST /admin/layouts/preview,
// CSRF token in the header), so seats are numbered by the same rules that saving applies.

const CYCLE = ["s", ".", "w", "c", "p"];
const NAMES = {
  s: "seat",
  ".": "aisle",
  w: "wheelchair space",
  c: "companion seat",
  p: "premium seat",
};
const GLYPHS = { s: "", ".": "", w: "♿", c: "C", p: "P" };

const panel = document.getElementById("layout-editor");
const text = document.getElementById("layout");
const preview = document.getElementById("layout-preview");
const grid = panel?.querySelector(".seat-grid");
const csrf = text?.form?.querySelector("input[name='csrf']")?.value ?? "";

/** Notes (`#` lines) of the text, kept at its top when the grid rewrites it. */
let notes = [];

/** The text as rows of a label and its places (one character each); notes go to `notes`. */
function parse(value) {
  const rows = [];
  notes = [];
  for (const line of value.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("#")) notes.push(trimmed);
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const [, label, places] = trimmed.match(/^(\S+)\s*(.*)$/);
    rows.push({ label, places: [...places.replace(/\s/g, "")] });
  }
  return rows;
}

/** Rows back as text, places lined up; trailing aisles mean nothing and are dropped. */
function serialise(rows) {
  const width = Math.max(1, ...rows.map((row) => row.label.length)) + 2;
  const lines = rows.map(
    (row) => row.label.padEnd(width) + row.places.join("").replace(/\.+$/, ""),
  );
  return [...notes, ...lines].join("\n");
}

/** The label after `label`: B after A, AA after Z. */
function nextLabel(label) {
  if (!/^[A-Z]+$/.test(label)) return "A";
  const last = label.at(-1);
  if (last !== "Z") return label.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1);
  return "A".repeat(label.length + 1);
}

let rows = [];
let focused = { row: 0, column: 0 };

function columns() {
  return Math.max(1, ...rows.map((row) => row.places.length));
}

function cellLabel(row, column, place) {
  return `Row ${row.label}, place ${column + 1}: ${NAMES[place] ?? `unknown "${place}"`}`;
}

/** Draws the grid from `rows`; the focused place keeps the keyboard. */
function draw(keepFocus) {
  const width = columns();
  grid.replaceChildren();
  rows.forEach((row, r) => {
    const line = document.createElement("div");
    line.className = "grid-row";
    line.setAttribute("role", "row");
    const head = document.createElement("div");
    head.setAttribute("role", "rowheader");
    const label = document.createElement("input");
    label.className = "row-label";
    label.value = row.label;
    label.setAttribute("aria-label", `Label of row ${r + 1}`);
    label.maxLength = 3;
    label.addEventListener("input", () => {
      row.label = label.value.toUpperCase().trim();
      label.value = row.label;
      changed();
    });
    head.append(label);
    line.append(head);
    for (let c = 0; c < width; c++) {
      const place = row.places[c] ?? ".";
      const cell = document.createElement("button");
      cell.type = "button";
      cell.setAttribute("role", "gridcell");
      cell.className = `cell cell-${place === "." ? "dot" : place}`;
      cell.textContent = GLYPHS[place] ?? "?";
      cell.dataset.row = r;
      cell.dataset.column = c;
      cell.tabIndex = r === focused.row && c === focused.column ? 0 : -1;
      cell.setAttribute("aria-label", cellLabel(row, c, place));
      line.append(cell);
    }
    grid.append(line);
  });
  if (keepFocus) cellAt(focused.row, focused.column)?.focus();
}

function cellAt(row, column) {
  return grid.querySelector(`[data-row="${row}"][data-column="${column}"]`);
}

/** The place at (row, column) becomes the next in the cycle. */
function cycle(row, column) {
  const places = rows[row].places;
  while (places.length <= column) places.push(".");
  const at = CYCLE.indexOf(places[column]);
  places[column] = CYCLE[(at + 1) % CYCLE.length];
  focused = { row, column };
  changed();
  draw(true);
}

/** The grid changed: the text follows, and the preview. */
function changed() {
  text.value = serialise(rows);
  schedulePreview();
}

let timer;
let asked = 0;
function schedulePreview() {
  clearTimeout(timer);
  timer = setTimeout(refreshPreview, 200);
}

async function refreshPreview() {
  const mine = ++asked;
  try {
    const answer = await fetch("/admin/layouts/preview", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRF-Token": csrf,
      },
      body: new URLSearchParams({ layout: text.value }),
      credentials: "same-origin",
    });
    const fragment = await answer.text();
    // An older answer arriving late must not replace a newer one.
    if (mine === asked && answer.headers.get("content-type")?.startsWith("text/html")) {
      // The server's own fragment, every typed value escaped by its template.
      preview.innerHTML = fragment;
    }
  } catch {
    // Offline: the preview stays as it was; saving still checks the layout.
  }
}

function start() {
  if (!panel || !text || !grid || !preview) return;
  rows = parse(text.value);
  panel.hidden = false;
  draw(false);

  grid.addEventListener("click", (event) => {
    const cell = event.target.closest("[role='gridcell']");
    if (cell) cycle(Number(cell.dataset.row), Number(cell.dataset.column));
  });

  grid.addEventListener("keydown", (event) => {
    const cell = event.target.closest("[role='gridcell']");
    if (!cell) return;
    const row = Number(cell.dataset.row);
    const column = Number(cell.dataset.column);
    const moves = {
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
    };
    if (event.key in moves) {
      event.preventDefault();
      const [dr, dc] = moves[event.key];
      const to = {
        row: Math.min(rows.length - 1, Math.max(0, row + dr)),
        column: Math.min(columns() - 1, Math.max(0, column + dc)),
      };
      cell.tabIndex = -1;
      focused = to;
      const next = cellAt(to.row, to.column);
      next.tabIndex = 0;
      next.focus();
    } else if (event.key === " " || event.key === "Enter") {
      // Handled here rather than by the button's click, which Space fires only on key up.
      event.preventDefault();
      cycle(row, column);
    }
  });

  panel.querySelector(".grid-tools").addEventListener("click", (event) => {
    const action = event.target.closest("button")?.dataset.action;
    if (!action) return;
    const width = columns();
    if (action === "add-row") {
      rows.push({ label: nextLabel(rows.at(-1)?.label ?? ""), places: Array(width).fill("s") });
    } else if (action === "remove-row" && rows.length > 1) {
      rows.pop();
    } else if (action === "add-column") {
      for (const row of rows) {
        while (row.places.length < width) row.places.push(".");
        row.places.push("s");
      }
    } else if (action === "remove-column" && width > 1) {
      for (const row of rows) row.places = row.places.slice(0, width - 1);
    } else {
      return;
    }
    focused = {
      row: Math.min(focused.row, rows.length - 1),
      column: Math.min(focused.column, columns() - 1),
    };
    changed();
    draw(false);
  });

  // Typing or pasting into the text redraws the grid (the text is left as typed).
  text.addEventListener("input", () => {
    rows = parse(text.value);
    focused = { row: 0, column: 0 };
    draw(false);
    schedulePreview();
  });
}

start();
