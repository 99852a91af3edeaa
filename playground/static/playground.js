// The playground page: shows what the server says this person sees, and turns their gestures into calls to the
// playground's JSON API (/play/*), which sends the bot the signed Slack requests. No build step, no framework.
// The HTML comes from playground.render (already escaped); its data attributes are documented there.
"use strict";

const pg = { user: null, version: -1, generation: 0, pane: "channel", tab: "home", keys: {}, html: {}, typed: {} };
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// ---- talking to the server ----------------------------------------------------------------------------------

async function call(path, data) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: pg.user, ...data }),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  if (!answer.ok) toast(answer.error || `HTTP ${response.status}`);
  else if (answer.bot_status && answer.bot_status !== 200) toast(`the bot answered HTTP ${answer.bot_status}`);
  return answer;
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
}

async function poll(generation) {
  while (generation === pg.generation) {
    let state;
    try {
      const response = await fetch(`/play/state?user=${encodeURIComponent(pg.user)}&since=${pg.version}`);
      state = await response.json();
    } catch (e) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      continue;
    }
    if (generation !== pg.generation) return;
    if (!state.ok) { toast(state.error); await new Promise((r) => setTimeout(r, 2000)); continue; }
    pg.version = state.version;
    if (state.changed) show(state);
  }
}

// ---- showing what the person sees ---------------------------------------------------------------------------

function show(state) {
  showMessages("channel", state.channel, "No messages yet. Type <code>/licenses</code> below to start.");
  showMessages("dm", state.dm, "No direct messages from licensebot.");
  showView("home", $("#home"), state.home, "Opening the Home tab…");
  const overlay = $("#overlay");
  if (!state.modal) {
    overlay.hidden = true;
    pg.keys.modal = null;
    $("#modal").innerHTML = "";
  } else {
    showView("modal", $("#modal"), state.modal, "");
    overlay.hidden = false;
    $("#modal").dataset.depth = state.modal.depth;
  }
  document.body.classList.remove("pg-busy");
}

function showMessages(name, html, empty) {
  if (pg.html[name] === html) return;
  pg.html[name] = html;
  const box = $(`#${name}`);
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.innerHTML = html || `<div class="pg-empty">${empty}</div>`;
  if (atBottom || name === "channel") box.scrollTop = box.scrollHeight;
}

function showView(name, box, view, empty) {
  const key = view ? view.key : null;
  if (pg.keys[name] === key) return;
  // Slack keeps what was typed in a view's input blocks while it is updated (same block_id and action_id) and
  // while another view is pushed over it: remember it per view, put it back when that view shows again.
  const shown = box.firstElementChild && box.firstElementChild.dataset.viewId;
  if (shown) pg.typed[shown] = collect(box, true);
  pg.keys[name] = key;
  box.innerHTML = view ? view.html : `<div class="pg-empty">${empty}</div>`;
  for (const entry of (view && pg.typed[view.view_id]) || []) restore(box, entry);
  $$('select[data-type="external_select"]', box).forEach(setUpExternalSelect);
}

// ---- reading and restoring element state ---------------------------------------------------------------------

function parseOption(node) {
  return node && node.dataset.option ? JSON.parse(node.dataset.option) : null;
}

function valueOf(node) {
  switch (node.dataset.type) {
    case "checkboxes":
      return $$("input:checked", node).map(parseOption);
    case "radio_buttons":
      return parseOption($("input:checked", node));
    case "multi_static_select":
      return Array.from(node.selectedOptions).map(parseOption).filter(Boolean);
    case "static_select":
    case "external_select":
      return parseOption(node.selectedOptions[0]);
    default:
      return node.value;
  }
}

function collect(root, inputsOnly = false) {
  return $$("[data-state]", root)
    .filter((node) => !inputsOnly || node.closest('[data-block-type="input"]'))
    .map((node) => ({
      block_id: node.dataset.blockId, action_id: node.dataset.actionId, type: node.dataset.type, value: valueOf(node),
    }));
}

function restore(root, entry) {
  const node = $$("[data-state]", root).find(
    (n) => n.dataset.blockId === entry.block_id && n.dataset.actionId === entry.action_id);
  if (!node || !node.closest('[data-block-type="input"]')) return;
  const values = new Set([].concat(entry.value || []).map((v) => (typeof v === "object" ? v.value : v)));
  if (node.dataset.type === "checkboxes" || node.dataset.type === "radio_buttons") {
    $$("input", node).forEach((input) => { input.checked = values.has(input.value); });
  } else if (node.tagName === "SELECT") {
    Array.from(node.options).forEach((o) => { o.selected = values.has(o.value); });
  } else {
    node.value = entry.value ?? "";
  }
}

// ---- gestures -------------------------------------------------------------------------------------------------

function where(node) {
  const view = node.closest("[data-view-id]");
  if (view) return { view_id: view.dataset.viewId, root: view.querySelector("form") || view };
  const message = node.closest("article.sk-message");
  return { ts: message.dataset.ts, root: message.querySelector("form") || message };
}

function act(node) {
  const place = where(node);
  const action = { type: node.dataset.type, block_id: node.dataset.blockId, action_id: node.dataset.actionId };
  if (node.dataset.type === "button") action.value = node.dataset.value ?? null;
  else if (node.dataset.type === "overflow") action.value = parseOption(node.selectedOptions[0]);
  else action.value = valueOf(node);
  document.body.classList.add("pg-busy");
  const state = collect(place.root);
  return call("/play/action", { view_id: place.view_id, ts: place.ts, action, state });
}

async function viewAction(button) {
  const view = button.closest("[data-view-id]");
  const viewId = view.dataset.viewId;
  if (button.dataset.viewAction === "submit") {
    document.body.classList.add("pg-busy");
    await call("/play/submit", { view_id: viewId, state: collect(view.querySelector("form")) });
  } else {
    // The footer's Close or Back leaves this view; the title bar's x closes the whole modal, as in Slack.
    await call("/play/close", { view_id: viewId, all: button.classList.contains("sk-modal-x") });
  }
}

function confirmThen(button) {
  const dialog = button.parentElement.querySelector("dialog.sk-confirm");
  dialog.showModal();
  dialog.onclick = (event) => {
    const choice = event.target.closest("[data-confirm-choice]");
    if (!choice) return;
    dialog.close();
    if (choice.dataset.confirmChoice === "confirm") act(button);
  };
}

// An external_select gets a search box; what is typed goes to the bot's options load (a block_suggestion).
function setUpExternalSelect(select) {
  const search = document.createElement("input");
  search.type = "search";
  search.className = "sk-text-input pg-select-search";
  search.placeholder = "Type to search…";
  search.setAttribute("aria-label", "Search " + (select.closest(".sk-block")?.querySelector(".sk-label")?.textContent || "options"));
  select.before(search);
  const min = Number(select.dataset.minQueryLength || 3);
  const placeholder = select.querySelector("option:not([data-option])");
  let timer = null;
  const load = async () => {
    if (search.value.length < min) return;
    const view = select.closest("[data-view-id]");
    const answer = await call("/play/options", {
      view_id: view.dataset.viewId, block_id: select.dataset.blockId, action_id: select.dataset.actionId,
      value: search.value,
    });
    if (!answer.ok) return;
    select.innerHTML = answer.html || '<option value="" disabled>No results</option>';
    if (placeholder && answer.html) select.prepend(placeholder);
    if (placeholder) placeholder.selected = true;
    select.size = Math.min(Math.max(select.options.length, 2), 8);
  };
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 200); });
  if (min === 0) load();
}

function wire() {
  document.addEventListener("click", (event) => {
    const viewButton = event.target.closest("[data-view-action]");
    if (viewButton) { viewAction(viewButton); return; }
    const button = event.target.closest('button[data-dispatch="click"], a[data-dispatch="click"]');
    if (button) {
      if (button.tagName === "BUTTON") event.preventDefault();
      // The renderer marks a button with a confirm object by a bare data-confirm attribute: as Slack does, the
      // confirmation dialog comes first, and the click is sent only on its confirm button.
      if (button.hasAttribute("data-confirm")) confirmThen(button); else act(button);
      return;
    }
    const nav = event.target.closest("[data-pane]");
    if (nav) { showPane(nav.dataset.pane); return; }
    const tab = event.target.closest("[data-tab]");
    if (tab) showTab(tab.dataset.tab);
  });
  document.addEventListener("change", (event) => {
    const node = event.target.closest('[data-dispatch="change"]');
    if (node) act(node);
  });
  document.addEventListener("keydown", (event) => {
    const node = event.target.closest("[data-dispatch~=on_enter_pressed]");
    if (node && event.key === "Enter" && node.tagName !== "TEXTAREA") { event.preventDefault(); act(node); }
  });
  let typing = null;
  document.addEventListener("input", (event) => {
    const node = event.target.closest("[data-dispatch~=on_character_entered]");
    if (node) { clearTimeout(typing); typing = setTimeout(() => act(node), 400); }
  });
  document.addEventListener("submit", (event) => event.preventDefault()); // Enter never posts a form
  $("#composer").addEventListener("submit", send);
  $("#who").addEventListener("change", (event) => become(event.target.value));
}

async function send(event) {
  event.preventDefault();
  const box = $("#message");
  const text = box.value.trim();
  if (!text) return;
  const note = $("#composer-note");
  if (!text.startsWith("/")) {
    note.textContent = "Only the /licenses command does something here: try /licenses or /licenses help.";
    return;
  }
  box.value = "";
  note.textContent = `Sent ${text}`;
  await call("/play/command", { text });
}

function showPane(pane) {
  pg.pane = pane;
  $$("[data-pane]").forEach((n) => n.classList.toggle("pg-nav-active", n.dataset.pane === pane));
  $("#pane-channel").hidden = pane !== "channel";
  $("#pane-app").hidden = pane !== "app";
  if (pane === "app" && pg.tab === "home") call("/play/home", {}); // Slack sends app_home_opened on each visit
}

function showTab(tab) {
  pg.tab = tab;
  $$("[data-tab]").forEach((n) => n.classList.toggle("pg-tab-active", n.dataset.tab === tab));
  $("#home").hidden = tab !== "home";
  $("#dm").hidden = tab !== "dm";
  if (tab === "home") call("/play/home", {});
}

function become(user) {
  pg.user = user;
  const chosen = $$("#who option").find((o) => o.value === user);
  $("#who-role").textContent = chosen ? chosen.dataset.role : "";
  pg.version = -1;
  pg.keys = {};
  pg.html = {};
  pg.typed = {};
  pg.generation += 1;
  poll(pg.generation);
  if (pg.pane === "app" && pg.tab === "home") call("/play/home", {});
}

async function start() {
  wire();
  let people = [];
  while (!people.length) { // the bot is still starting for the first moment
    people = (await (await fetch("/play/people")).json()).people || [];
    if (!people.length) await new Promise((r) => setTimeout(r, 300));
  }
  await call("/play/reload", { user: people[0].id }); // a Slack client that restarts shows no modal left open
  const who = $("#who");
  for (const person of people) {
    const option = document.createElement("option");
    option.value = person.id;
    option.textContent = person.name;
    option.dataset.role = person.role || "not an operator";
    who.append(option);
  }
  become(people[0].id);
}

start();
