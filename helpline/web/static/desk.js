// The agent desktop: state with time in state, offers pushed over a WebSocket with a countdown,
// active contacts in tabs (conversation, reply, customer panel, hold, transfer, end, wrap-up).
"use strict";

(() => {
  const { api, socket, duration, clock, el, say } = Helpline;
  const data = JSON.parse(document.getElementById("desk-data").textContent);
  const agentId = data.agent_id;
  const when = clock(data.time_zone);
  const queueName = Object.fromEntries(data.queues.map((q) => [q.id, q.name]));
  const TEXT_CHANNELS = new Set(["chat", "email", "sms", "social"]);
  const STATE_LABEL = {
    offline: "Offline", available: "Available", reserved: "Offer pending", busy: "Busy",
    acw: "After-contact work", not_ready: "Not ready",
  };

  let state = { state: data.state, status: data.status, reason: data.reason, contact_ids: [] };
  let stateKey = data.state + "/" + (data.reason || "");
  let stateSince = data.state_since ? new Date(data.state_since) : new Date();
  const offers = new Map();   // contact id -> {contact, expiresAt, node}
  const tabs = new Map();     // contact id -> {contact, tab, panel, messageCount, customerLoaded}
  let activeId = null;

  // ---- state -----------------------------------------------------------------------------
  const select = document.getElementById("state-select");
  const stateNow = document.getElementById("state-now");
  const stateTime = document.getElementById("state-time");

  function showState(view) {
    const key = view.state + "/" + (view.reason || "");
    if (key !== stateKey) { stateKey = key; stateSince = new Date(); }
    state = view;
    stateNow.textContent = STATE_LABEL[view.state] + (view.reason ? ` (${view.reason})` : "");
    stateNow.dataset.state = view.state;
    select.value = view.status === "not_ready" ? `not_ready:${view.reason}` : view.status;
    if (select.selectedIndex < 0) select.value = "not_ready:break";
  }

  async function setState(value) {
    const [name, reason] = value.split(":");
    try {
      showState(await api("POST", `/agents/${agentId}/state`, { state: name, reason: reason || null }));
      say(`State: ${STATE_LABEL[state.state]}`);
    } catch (error) { say(error.message, true); }
  }
  select.addEventListener("change", () => setState(select.value));

  // ---- offers ----------------------------------------------------------------------------
  const offersBox = document.getElementById("offers");
  const noOffers = document.getElementById("no-offers");

  function addOffer(offer) {
    const contact = offer.contact;
    if (offers.has(contact.id) || tabs.has(contact.id)) return;
    const countdown = el("span", { class: "countdown", "aria-label": "seconds left" });
    const node = el("article", { class: "offer", "data-contact": contact.id, "aria-label": `Offer ${contact.id}` },
      el("h3", { text: `${contact.channel} · ${queueName[contact.queue_id] || "no queue"}` }),
      el("p", { text: contact.subject || "(no subject)" }),
      el("p", {}, "Expires in ", countdown),
      el("button", { type: "button", class: "primary", onclick: () => answer(contact.id, "accept") }, "Accept (Alt+A)"),
      " ",
      el("button", { type: "button", onclick: () => answer(contact.id, "reject") }, "Reject (Alt+R)"));
    offers.set(contact.id, { contact, expiresAt: new Date(offer.expires_at), node, countdown });
    offersBox.append(node);
    noOffers.hidden = true;
    say(`New ${contact.channel} offer: ${contact.subject}`);
  }

  function dropOffer(id) {
    const offer = offers.get(id);
    if (!offer) return;
    offer.node.remove();
    offers.delete(id);
    noOffers.hidden = offers.size > 0;
  }

  async function answer(id, verb) {
    try {
      const contact = await api("POST", `/contacts/${id}/${verb}`);
      dropOffer(id);
      if (verb === "accept") openTab(contact, true);
      say(verb === "accept" ? `Accepted contact ${id}` : `Rejected contact ${id}`);
      refreshState();
    } catch (error) { dropOffer(id); say(error.message, true); }
  }

  function tickOffers() {
    const now = Date.now();
    for (const [id, offer] of offers) {
      const left = (offer.expiresAt - now) / 1000;
      if (left <= 0) { dropOffer(id); say(`Offer ${id} expired`, true); continue; }
      offer.countdown.textContent = `${Math.ceil(left)} s`;
    }
  }

  // ---- tabs ------------------------------------------------------------------------------
  const tabList = document.getElementById("tabs");
  const panels = document.getElementById("panels");
  const noContacts = document.getElementById("no-contacts");

  function openTab(contact, focus) {
    if (tabs.has(contact.id)) { if (focus) activate(contact.id); return; }
    const tab = el("button", {
      type: "button", role: "tab", id: `tab-${contact.id}`, "aria-controls": `panel-${contact.id}`,
      "aria-selected": "false", tabindex: "-1", onclick: () => activate(contact.id),
    });
    const panel = el("section", { role: "tabpanel", id: `panel-${contact.id}`, "aria-labelledby": `tab-${contact.id}`, hidden: true, class: "contact" });
    tabList.append(tab);
    panels.append(panel);
    const entry = { contact, tab, panel, messageCount: -1, customerLoaded: false, parts: buildPanel(contact, panel) };
    tabs.set(contact.id, entry);
    noContacts.hidden = true;
    render(entry);
    loadMessages(entry);
    loadCustomer(entry);
    if (focus || activeId === null) activate(contact.id);
  }

  function closeTab(id) {
    const entry = tabs.get(id);
    if (!entry) return;
    entry.tab.remove();
    entry.panel.remove();
    tabs.delete(id);
    if (activeId === id) {
      activeId = null;
      const next = tabs.keys().next();
      if (!next.done) activate(next.value);
    }
    noContacts.hidden = tabs.size > 0;
  }

  function activate(id) {
    activeId = id;
    for (const [cid, entry] of tabs) {
      const on = cid === id;
      entry.tab.setAttribute("aria-selected", String(on));
      entry.tab.tabIndex = on ? 0 : -1;
      entry.panel.hidden = !on;
    }
  }

  tabList.addEventListener("keydown", (event) => {
    const ids = [...tabs.keys()];
    const index = ids.indexOf(activeId);
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      const next = ids[(index + (event.key === "ArrowRight" ? 1 : ids.length - 1)) % ids.length];
      activate(next);
      tabs.get(next).tab.focus();
      event.preventDefault();
    }
  });

  function buildPanel(contact, panel) {
    const id = contact.id;
    const header = el("h3", {});
    const facts = el("p", { class: "muted" });
    const hold = el("button", { type: "button", onclick: () => holdOrResume(id) }, "Hold");
    const end = el("button", { type: "button", onclick: () => act(id, "end") }, "End");
    const target = el("select", { id: `transfer-${id}` },
      el("optgroup", { label: "Queues" }, data.queues.map((q) => el("option", { value: `queue:${q.id}`, text: q.name }))),
      el("optgroup", { label: "Agents" }, data.agents.map((a) => el("option", { value: `agent:${a.id}`, text: a.name }))));
    const transferForm = el("form", { class: "row", onsubmit: (e) => { e.preventDefault(); transfer(id, target.value); } },
      el("label", { for: `transfer-${id}`, text: "Transfer to" }), target,
      el("button", { type: "submit" }, "Transfer"));
    const actions = el("div", { class: "row actions" }, hold, end, transferForm);

    const conversation = el("ol", { class: "conversation", "aria-label": "Conversation", "aria-live": "polite" });
    const replyBox = el("textarea", { id: `reply-${id}`, rows: "3", required: true });
    const canned = el("select", { id: `canned-${id}`, onchange: () => {
      if (!canned.value) return;
      insertCanned(id, canned.value, replyBox);
      canned.value = "";
    } }, el("option", { value: "", text: "Insert a canned response…" }),
      data.canned.map((c) => el("option", { value: c.id, text: c.title })));
    const replyForm = el("form", { class: "reply", onsubmit: (e) => { e.preventDefault(); reply(id, replyBox); } },
      el("label", { for: `canned-${id}`, class: "sr-only", text: "Canned response" }), canned,
      el("label", { for: `reply-${id}`, text: "Reply" }), replyBox,
      el("button", { type: "submit", class: "primary" }, "Send (Ctrl+Enter)"));
    replyBox.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); replyForm.requestSubmit(); }
    });

    const code = el("select", { id: `code-${id}`, required: true },
      el("option", { value: "", text: "Choose a code…" }),
      data.wrap_up_codes.map((c) => el("option", { value: c.id, text: c.label })));
    const notes = el("textarea", { id: `notes-${id}`, rows: "2" });
    const wrapForm = el("form", { class: "wrap", onsubmit: (e) => { e.preventDefault(); wrapUp(id, code, notes); } },
      el("h4", { text: "Wrap-up" }),
      el("label", { for: `code-${id}`, text: "Wrap-up code" }), code,
      el("label", { for: `notes-${id}`, text: "Notes" }), notes,
      el("button", { type: "submit" }, "Wrap up"));

    const customer = el("aside", { class: "customer", "aria-label": "Customer" }, el("p", { class: "muted", text: "Loading customer…" }));
    const main = el("div", { class: "conversation-box" }, conversation, replyForm);
    panel.append(header, facts, actions, el("div", { class: "contact-body" }, el("div", {}, main, wrapForm), customer));
    return { header, facts, hold, end, conversation, replyForm, replyBox, customer, code, transferForm };
  }

  // The server fills the placeholders in (customer, agent, case, organization) for this contact.
  async function insertCanned(id, cannedId, box) {
    try {
      const rendered = await api("GET", `/canned-responses/${cannedId}/render?contact_id=${id}`);
      box.focus();
      box.setRangeText(rendered.text, box.selectionStart, box.selectionEnd, "end");
    } catch (error) { say(error.message, true); }
  }

  function render(entry) {
    const c = entry.contact;
    const p = entry.parts;
    entry.tab.textContent = `${c.channel} #${c.id}` + (c.state === "on_hold" ? " (hold)" : c.state === "wrap_up" ? " (wrap-up)" : "");
    p.header.textContent = c.subject || `${c.channel} contact ${c.id}`;
    p.facts.textContent = `${c.channel} · ${queueName[c.queue_id] || "no queue"} · ${c.state.replace("_", " ")} · since ${when(c.connected_at || c.created_at)}`;
    p.hold.textContent = c.state === "on_hold" ? "Resume (Alt+H)" : "Hold (Alt+H)";
    p.hold.disabled = !["connected", "on_hold"].includes(c.state);
    p.end.textContent = "End (Alt+E)";
    p.end.disabled = !["connected", "on_hold"].includes(c.state);
    p.replyForm.hidden = !TEXT_CHANNELS.has(c.channel);
  }

  async function loadMessages(entry) {
    try {
      const messages = await api("GET", `/contacts/${entry.contact.id}/messages`);
      if (messages.length === entry.messageCount) return;
      entry.messageCount = messages.length;
      entry.parts.conversation.replaceChildren(...messages.map((m) =>
        el("li", { class: m.direction },
          el("span", { class: "who", text: m.direction === "inbound" ? (m.sender || "Customer") : "You" }),
          el("time", { text: when(m.created_at) }),
          el("p", { text: m.body }),
          m.delivery_status ? el("span", { class: "muted small", text: m.delivery_status }) : null)));
      if (!messages.length) entry.parts.conversation.append(el("li", { class: "muted", text: entry.contact.channel === "voice" ? "Voice call: no messages." : "No messages yet." }));
    } catch (error) { say(error.message, true); }
  }

  async function loadCustomer(entry) {
    const c = entry.contact;
    const box = entry.parts.customer;
    const attributes = Object.entries(c.attributes || {});
    const collected = el("section", {}, el("h4", { text: "Collected" }),
      attributes.length ? el("dl", {}, attributes.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: typeof v === "object" ? JSON.stringify(v) : String(v) })]))
        : el("p", { class: "muted", text: "Nothing collected before routing." }));
    if (!c.customer_id) { box.replaceChildren(el("h4", { text: "Unknown customer" }), collected); return; }
    try {
      const [customer, page] = await Promise.all([
        api("GET", `/customers/${c.customer_id}`), api("GET", `/customers/${c.customer_id}/timeline?limit=20`),
      ]);
      const timeline = page.items;
      const open = page.cases.filter((k) => k.status !== "solved" && k.status !== "closed");
      const identities = Object.entries(customer.identities).flatMap(([kind, values]) => values.map((v) => [kind, v]));
      box.replaceChildren(
        el("h4", { text: customer.display_name || "Customer " + customer.id }),
        el("p", { class: "small" }, el("a", { href: `/customers/${customer.id}`, target: "_blank", text: "Customer page (export, erase)" })),
        el("dl", { class: "identities" }, identities.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])),
        collected,
        el("section", {}, el("h4", { text: "Open cases" }),
          open.length ? el("ul", { class: "cases" }, open.map((k) => el("li", {},
            `${k.reference} · ${k.subject} · ${k.status}${k.is_breached ? " · SLA breached" : ""}`)))
            : el("p", { class: "muted", text: "No open cases." })),
        el("section", {}, el("h4", { text: "Timeline" }),
          el("ol", { class: "timeline" }, timeline.map((t) => el("li", { class: t.id === c.id ? "current" : "" },
            el("time", { text: when(t.created_at) }), ` ${t.channel} · ${t.subject || ""} · ${t.state}`)))));
      entry.customerLoaded = true;
    } catch (error) { box.replaceChildren(el("p", { class: "error", text: error.message }), collected); }
  }

  // ---- actions ---------------------------------------------------------------------------
  async function act(id, verb) {
    try {
      const contact = await api("POST", `/contacts/${id}/${verb}`);
      update(contact);
      say(`Contact ${id}: ${verb}`);
      if (verb === "end") tabs.get(id)?.parts.code.focus();
    } catch (error) { say(error.message, true); }
  }

  function holdOrResume(id) {
    const entry = tabs.get(id);
    if (entry) act(id, entry.contact.state === "on_hold" ? "resume" : "hold");
  }

  async function transfer(id, value) {
    const [kind, target] = value.split(":");
    try {
      await api("POST", `/contacts/${id}/transfer`, { [`${kind}_id`]: Number(target), mode: "blind" });
      closeTab(id);
      say(`Contact ${id} transferred`);
      refreshState();
    } catch (error) { say(error.message, true); }
  }

  async function reply(id, box) {
    const body = box.value.trim();
    if (!body) return;
    try {
      await api("POST", `/contacts/${id}/messages`, { body });
      box.value = "";
      say("Reply sent");
      const entry = tabs.get(id);
      if (entry) loadMessages(entry);
    } catch (error) { say(error.message, true); }
  }

  async function wrapUp(id, code, notes) {
    if (!code.value) { say("Choose a wrap-up code", true); code.focus(); return; }
    try {
      const contact = await api("POST", `/contacts/${id}/wrap-up`, { wrap_up_code_id: Number(code.value), notes: notes.value });
      if (contact.state === "closed") { closeTab(id); say(`Contact ${id} wrapped up`); }
      else { update(contact); say(`Wrap-up saved for contact ${id}; end it to close`); }
      refreshState();
    } catch (error) { say(error.message, true); }
  }

  function update(contact) {
    const entry = tabs.get(contact.id);
    if (!entry) return;
    entry.contact = contact;
    if (["closed", "abandoned", "transferred"].includes(contact.state) || contact.agent_id !== agentId) closeTab(contact.id);
    else render(entry);
  }

  // ---- polling ---------------------------------------------------------------------------
  async function refreshState() {
    try {
      const view = await api("GET", `/agents/${agentId}/state`);
      showState(view);
      for (const id of view.contact_ids) {
        if (!tabs.has(id) && !offers.has(id)) {
          const contact = await api("GET", `/contacts/${id}`);
          if (contact.state === "offered") continue;
          openTab(contact, false);
        }
      }
    } catch (error) { say(error.message, true); }
  }

  async function refreshTabs() {
    for (const entry of [...tabs.values()]) {
      try {
        update(await api("GET", `/contacts/${entry.contact.id}`));
        if (tabs.has(entry.contact.id)) loadMessages(entry);
      } catch (error) { say(error.message, true); }
    }
  }

  // ---- keyboard --------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    const firstOffer = offers.keys().next().value;
    const handlers = {
      a: () => firstOffer && answer(firstOffer, "accept"),
      r: () => firstOffer && answer(firstOffer, "reject"),
      v: () => setState("available"),
      n: () => setState("not_ready:break"),
      h: () => activeId && holdOrResume(activeId),
      e: () => activeId && act(activeId, "end"),
      t: () => activeId && document.getElementById(`transfer-${activeId}`).focus(),
      w: () => activeId && tabs.get(activeId).parts.code.focus(),
    };
    let handler = handlers[key];
    if (!handler && /^[1-9]$/.test(event.key)) {
      const id = [...tabs.keys()][Number(event.key) - 1];
      handler = () => id && (activate(id), tabs.get(id).tab.focus());
    }
    if (handler) { event.preventDefault(); handler(); }
  });

  // ---- start -----------------------------------------------------------------------------
  showState(state);
  socket(`/agents/${agentId}/offers/stream`, addOffer);
  refreshState();
  setInterval(() => { stateTime.textContent = duration((Date.now() - stateSince) / 1000); tickOffers(); }, 250);
  setInterval(refreshState, 2000);
  setInterval(refreshTabs, 3000);
})();
