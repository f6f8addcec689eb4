// Type-ahead for the search box (site/search_box.html), as the ARIA combobox pattern has it:
// as one types, up to 8 titles playing in the city (GET /api/v1/events/suggest) in a list
// under the box (Down opens it too). Down and Up move through them, Enter opens the one
// chosen (or searches for what was typed when none is), Escape closes the list. Without this
// file the box is a plain search form.

const WAIT_MS = 120;

for (const input of document.querySelectorAll("input[data-suggest-city]")) {
  combobox(input);
}

function combobox(input) {
  const list = document.createElement("ul");
  list.id = `${input.id}-suggestions`;
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  input.parentElement.append(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  const when = new Intl.DateTimeFormat("en-GB", {
    timeZone: input.dataset.suggestZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  let options = [];
  let active = -1;
  let timer = 0;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (at) => {
    options.forEach((option, n) => option.setAttribute("aria-selected", String(n === at)));
    active = at;
    if (at >= 0) {
      input.setAttribute("aria-activedescendant", options[at].id);
      options[at].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const show = (suggestions) => {
    list.replaceChildren();
    options = suggestions.map((s, n) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${n}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.href = `/films/${s.event_id}`;
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = s.title;
      const next = document.createElement("span");
      next.className = "next";
      next.textContent = `Next: ${when.format(new Date(s.next_showtime.starts_at))}`;
      option.append(title, next);
      // mousedown, not click: the input keeps its focus, so the list is not closed first.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        window.location.assign(option.dataset.href);
      });
      list.append(option);
      return option;
    });
    choose(-1);
    if (options.length === 0) {
      close();
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const ask = async () => {
    const typed = input.value.trim();
    const mine = ++asked;
    if (typed.length < 2) {
      close();
      return;
    }
    const query = new URLSearchParams({ q: typed, city: input.dataset.suggestCity });
    try {
      const response = await fetch(`/api/v1/events/suggest?${query}`);
      if (!response.ok) {
        return;
      }
      const { suggestions } = await response.json();
      // Only the answer to what is typed now, and only while the box has the focus.
      if (mine === asked && document.activeElement === input) {
        show(suggestions);
      }
    } catch {
      // No suggestions; the form still searches.
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden;
    if (event.key === "ArrowDown" && !open) {
      event.preventDefault();
      ask();
    } else if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      choose((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      choose(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      window.location.assign(options[active].dataset.href);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
}
