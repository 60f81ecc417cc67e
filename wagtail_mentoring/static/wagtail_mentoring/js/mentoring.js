// Front-end behaviour of wagtail_mentoring; every page works without it.
//
// A visit that counts (opening a journey step, reading a message thread) is
// recorded with a POST of the page's own form, so that no GET changes
// anything and a cross-site link or image cannot record it.
// The form's own action attribute, not ``form.action``: the form has an input
// named "action", which that property would return instead.
document.querySelectorAll("form[data-wm-record-visit]").forEach((form) => {
  fetch(form.getAttribute("action") || window.location.href, {
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
  }).then((response) => {
    if (response.ok) form.remove();
  });
});

// A person picker (people/picker.py) becomes a combobox that asks the server
// as one types; without this script it is a search button and a list to pick
// from. Either way the form posts the chosen person under the field's name.
document.querySelectorAll("[data-wm-person-picker]").forEach((picker, n) => {
  const url = picker.dataset.wmSearchUrl;
  const input = picker.querySelector('input[type="search"]');
  const results = picker.querySelector("[data-wm-person-results]");
  if (!url || !input || !results) return;
  const field = picker.dataset.wmField;
  const listId = `wm-person-picker-${n}-list`;
  const list = document.createElement("ul");
  list.id = listId;
  list.setAttribute("role", "listbox");
  list.className = "wm-person-picker__list";
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "wm-visually-hidden";
  status.setAttribute("role", "status");
  input.after(list, status);
  picker.querySelector('button[type="submit"]').hidden = true;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("aria-expanded", "false");

  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    options.forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
  };
  const choose = (li) => {
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = field;
    radio.value = li.dataset.value;
    radio.checked = true;
    const label = document.createElement("label");
    label.className = "wm-choice";
    label.append(radio, ` ${li.dataset.label}`);
    results.replaceChildren(label);
    input.value = li.dataset.name;
    status.textContent = li.dataset.label;
    close();
  };
  const show = (data) => {
    list.replaceChildren();
    options = data.results.map((person, i) => {
      const li = document.createElement("li");
      li.id = `${listId}-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.value = person.id;
      li.dataset.name = person.name;
      li.dataset.label = person.detail ? `${person.name} — ${person.detail}` : person.name;
      const name = document.createElement("span");
      name.textContent = person.name;
      const detail = document.createElement("span");
      detail.className = "wm-meta";
      detail.textContent = person.detail ? ` — ${person.detail}` : "";
      li.append(name, detail);
      li.addEventListener("mousedown", (event) => event.preventDefault());
      li.addEventListener("click", () => choose(li));
      list.append(li);
      return li;
    });
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", String(options.length > 0));
    status.textContent = options.length
      ? picker.dataset.wmFound.replace("{count}", `${options.length}${data.more ? "+" : ""}`)
      : picker.dataset.wmNone;
    active = -1;
  };
  const ask = () => {
    const query = input.value.trim();
    if (!query) return close();
    const ticket = ++asked;
    fetch(`${url}?q=${encodeURIComponent(query)}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((data) => {
        if (ticket === asked) show(data);
      });
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      if (list.hidden) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      // Enter picks the highlighted person; it never submits a half-typed name.
      event.preventDefault();
      if (active >= 0) choose(options[active]);
      else ask();
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
});
