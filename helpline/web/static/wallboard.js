// The wallboard: re-rendered from every push of /api/v1/realtime/stream; time in state ticks locally.
"use strict";

(() => {
  const { socket, duration, percent, clock, el } = Helpline;
  const data = JSON.parse(document.getElementById("wall-data").textContent);
  const targets = data.targets;
  const when = clock(data.time_zone);
  const STATES = ["available", "reserved", "busy", "acw", "not_ready", "offline"];
  let board = data.board;
  let receivedAt = Date.now();

  function judged(value, text, target, targetText, isBreach) {
    const breach = value !== null && value !== undefined && target !== undefined && isBreach;
    return el("td", { class: breach ? "breach" : value === null || value === undefined ? "" : "ok" },
      text, el("span", { class: "muted small" }, ` (${targetText})`),
      breach ? el("span", { class: "sr-only", text: " breaching target" }) : null);
  }

  function renderQueues() {
    const rows = board.queues.map((q) => {
      const t = targets[q.queue_id] || {};
      const today = q.today;
      const states = Object.entries(q.agents_by_state).map(([s, n]) => `${n} ${s.replace("_", " ")}`).join(", ");
      return el("tr", { "data-queue": q.queue_id },
        el("th", { scope: "row" }, el("a", { href: `/wallboard/queues/${q.queue_id}`, text: q.name || `Queue ${q.queue_id}` })),
        el("td", { class: "num waiting", text: String(q.waiting) }),
        el("td", { class: "num longest", "data-seconds": q.longest_wait_seconds, "data-waiting": q.waiting }, duration(q.longest_wait_seconds)),
        el("td", { class: "num", text: String(today.offered) }),
        el("td", { class: "num", text: String(today.answered) }),
        judged(today.service_level, percent(today.service_level), t.service_level, `${percent(t.service_level)} in ${t.service_level_seconds}s`, today.service_level < t.service_level),
        judged(today.asa_seconds, duration(today.asa_seconds), t.asa_seconds, duration(t.asa_seconds), today.asa_seconds > t.asa_seconds),
        judged(today.abandonment_rate, percent(today.abandonment_rate), t.abandonment, percent(t.abandonment), today.abandonment_rate > t.abandonment),
        el("td", { class: "small", text: states || "none logged in" }));
    });
    document.querySelector("#queues tbody").replaceChildren(...rows);
  }

  function renderAgents() {
    const elapsed = (Date.now() - receivedAt) / 1000;
    const counts = {};
    const rows = board.agents.map((a) => {
      counts[a.state] = (counts[a.state] || 0) + 1;
      return el("tr", { "data-agent": a.agent_id, "data-state": a.state },
        el("th", { scope: "row" }, el("a", { href: `/wallboard/agents/${a.agent_id}`, text: a.name || `Agent ${a.agent_id}` })),
        el("td", {}, el("span", { class: "badge", "data-state": a.state, text: a.state.replace("_", " ") })),
        el("td", { text: a.reason || "" }),
        el("td", { class: "num", text: duration(a.seconds_in_state + elapsed) }));
    });
    document.querySelector("#agents tbody").replaceChildren(...rows);
    document.getElementById("agent-counts").textContent =
      STATES.filter((s) => counts[s]).map((s) => `${counts[s]} ${s.replace("_", " ")}`).join(" · ");
  }

  function render() {
    document.getElementById("board-at").textContent = when(board.at);
    renderQueues();
    renderAgents();
  }

  const live = document.getElementById("live");
  socket("/realtime/stream", (next) => {
    board = next;
    receivedAt = Date.now();
    live.textContent = "live";
    live.dataset.state = "available";
    render();
  });
  render();
  // Tick the clocks in place (re-rendering rows every second would steal keyboard focus).
  setInterval(() => {
    const elapsed = (Date.now() - receivedAt) / 1000;
    for (const cell of document.querySelectorAll("#queues .longest")) {
      const waiting = Number(cell.dataset.waiting) > 0;
      cell.textContent = duration(Number(cell.dataset.seconds) + (waiting ? elapsed : 0));
    }
    board.agents.forEach((a, i) => {
      const cell = document.querySelectorAll("#agents tbody tr td.num")[i];
      if (cell) cell.textContent = duration(a.seconds_in_state + elapsed);
    });
  }, 1000);
})();
