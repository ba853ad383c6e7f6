/* Helpline web chat widget. Embed with one tag:
 *   <script src="https://helpline.example/chat/widget.js" data-org="<public widget key>"></script>
 * Hand-written, no dependencies, no build step. Protocol: docs/channels-chat.md.
 * Visitor text is always inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-org")) { return; }
  var key = script.getAttribute("data-org");
  var base = new URL(script.src, window.location.href);
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host +
    "/chat/ws?key=" + encodeURIComponent(key);
  var uploadUrl = base.origin + "/chat/attachments?key=" + encodeURIComponent(key);
  var slotsUrl = base.origin + "/chat/callback-slots?key=" + encodeURIComponent(key);
  var callbacksUrl = base.origin + "/chat/callbacks?key=" + encodeURIComponent(key);
  var storeKey = "helpline-chat:" + key;

  // -- persistent state: session token, next message number, unacknowledged messages ----------
  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  var saved = load();
  var state = {
    token: saved.token || null,
    nextSeq: saved.nextSeq || 1,
    pending: saved.pending || {},   // seq -> body, resent after a reconnect until acknowledged
    visitorId: saved.visitorId || randomId(),
    lastId: 0,                      // the highest server message id rendered on this page
    limits: { types: [], bytes: 0 },
    callbacks: false,               // the widget names a callback queue (hello frame)
    ended: false,
    socket: null,
    retryMs: 1000,
    typingSentAt: 0,
    typingTimer: null
  };
  function save() {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify({
        token: state.token, nextSeq: state.nextSeq, pending: state.pending, visitorId: state.visitorId
      }));
    } catch (e) { /* storage may be disabled: the chat still works on this page */ }
  }
  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "v" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // -- DOM ---------------------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }
  var style = el("style");
  style.textContent =
    ".hlw-launch{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;padding:.75rem 1rem;" +
    "border:0;border-radius:2rem;background:#1f5fbf;color:#fff;font:600 1rem system-ui,sans-serif;cursor:pointer}" +
    ".hlw-launch:focus-visible,.hlw-panel :focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
    ".hlw-panel{position:fixed;right:1rem;bottom:4.5rem;z-index:2147483000;width:min(22rem,calc(100vw - 2rem));" +
    "height:min(32rem,calc(100vh - 6rem));display:flex;flex-direction:column;background:#fff;color:#111;" +
    "border:1px solid #ccc;border-radius:.75rem;box-shadow:0 .5rem 2rem rgba(0,0,0,.2);font:1rem system-ui,sans-serif}" +
    ".hlw-panel[hidden],.hlw-panel [hidden]{display:none!important}.hlw-head{display:flex;justify-content:space-between;align-items:center;" +
    "padding:.5rem .75rem;background:#1f5fbf;color:#fff;border-radius:.75rem .75rem 0 0}" +
    ".hlw-head h2{font-size:1rem;margin:0}.hlw-head button{background:none;border:0;color:#fff;font-size:1.25rem;cursor:pointer}" +
    ".hlw-status{padding:.4rem .75rem;font-size:.875rem;background:#eef3fb}" +
    ".hlw-log{flex:1;overflow-y:auto;padding:.5rem .75rem;margin:0;list-style:none}" +
    ".hlw-log li{margin:.25rem 0;padding:.4rem .6rem;border-radius:.5rem;max-width:85%;white-space:pre-wrap;word-wrap:break-word}" +
    ".hlw-in{background:#1f5fbf;color:#fff;margin-left:auto!important}.hlw-out{background:#eee}" +
    ".hlw-pending{opacity:.6}.hlw-note{font-size:.8rem;color:#555}" +
    ".hlw-form{display:flex;flex-direction:column;gap:.35rem;padding:.5rem .75rem;border-top:1px solid #ddd}" +
    ".hlw-form label{font-size:.85rem}.hlw-form input,.hlw-form textarea,.hlw-form select{font:inherit;padding:.35rem;border:1px solid #888;border-radius:.35rem}" +
    ".hlw-row{display:flex;gap:.35rem;flex-wrap:wrap}.hlw-form button{font:inherit;padding:.35rem .7rem;cursor:pointer}" +
    ".hlw-form input[type=file]{max-width:100%}.hlw-error{font-size:.8rem;color:#a00000;margin:0}.hlw-form [aria-invalid=true]{border-color:#a00000}" +
    ".hlw-typing{min-height:1.2em;font-size:.8rem;color:#555;padding:0 .75rem}" +
    ".hlw-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";
  document.head.appendChild(style);

  var launcher = el("button", { type: "button", "class": "hlw-launch", "aria-expanded": "false",
    "aria-controls": "hlw-panel" }, "Chat with us");
  var panel = el("section", { id: "hlw-panel", "class": "hlw-panel", role: "dialog",
    "aria-modal": "false", "aria-labelledby": "hlw-title", hidden: "" });
  var head = el("div", { "class": "hlw-head" });
  var title = el("h2", { id: "hlw-title" }, "Chat");
  var closeButton = el("button", { type: "button", "aria-label": "Close the chat window" }, "\u00d7");
  head.appendChild(title); head.appendChild(closeButton);
  var status = el("p", { "class": "hlw-status", role: "status", "aria-live": "polite" }, "Connecting\u2026");
  var log = el("ol", { "class": "hlw-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var typing = el("p", { "class": "hlw-typing", "aria-live": "polite" });

  var prechat = el("form", { "class": "hlw-form", "aria-label": "Start a chat", hidden: "" });
  [["hlw-name", "Your name", "text", "name"], ["hlw-email", "Your email", "email", "email"],
   ["hlw-topic", "What can we help with?", "text", "topic"]].forEach(function (f) {
    prechat.appendChild(el("label", { "for": f[0] }, f[1]));
    prechat.appendChild(el("input", { id: f[0], name: f[3], type: f[2], required: "", autocomplete: f[3] === "topic" ? "off" : f[3] }));
  });
  var prechatError = el("p", { "class": "hlw-note", role: "alert" });
  prechat.appendChild(prechatError);
  prechat.appendChild(el("button", { type: "submit" }, "Start chat"));

  var compose = el("form", { "class": "hlw-form", "aria-label": "Send a message", hidden: "" });
  compose.appendChild(el("label", { "for": "hlw-text" }, "Message (Enter to send, Shift+Enter for a new line)"));
  var text = el("textarea", { id: "hlw-text", rows: "2" });
  compose.appendChild(text);
  var row = el("div", { "class": "hlw-row" });
  var fileLabel = el("label", { "for": "hlw-file", "class": "hlw-visually-hidden" }, "Attach a file");
  var file = el("input", { id: "hlw-file", type: "file" });
  var sendButton = el("button", { type: "submit" }, "Send");
  var transcriptButton = el("button", { type: "button" }, "Email transcript");
  var endButton = el("button", { type: "button" }, "End chat");
  var callMeButton = el("button", { type: "button", hidden: "", "aria-controls": "hlw-callback" }, "Call me back");
  [sendButton, fileLabel, file, transcriptButton, callMeButton, endButton].forEach(function (n) { row.appendChild(n); });
  compose.appendChild(row);
  var again = el("button", { type: "button", hidden: "" }, "Start a new chat");

  // The callback form: a free slot (grouped by day, in the visitor's locale) and a phone number.
  var callback = el("form", { id: "hlw-callback", "class": "hlw-form", "aria-label": "Book a callback", hidden: "", novalidate: "" });
  callback.appendChild(el("label", { "for": "hlw-slot" }, "When should we call you?"));
  var slotSelect = el("select", { id: "hlw-slot", name: "slot_start", "aria-describedby": "hlw-slot-error" });
  callback.appendChild(slotSelect);
  var slotError = el("p", { id: "hlw-slot-error", "class": "hlw-error" });
  callback.appendChild(slotError);
  callback.appendChild(el("label", { "for": "hlw-phone" }, "Your phone number"));
  var phoneInput = el("input", { id: "hlw-phone", name: "phone", type: "tel", autocomplete: "tel",
    "aria-describedby": "hlw-phone-error" });
  callback.appendChild(phoneInput);
  var phoneError = el("p", { id: "hlw-phone-error", "class": "hlw-error" });
  callback.appendChild(phoneError);
  var callbackError = el("p", { "class": "hlw-error", role: "alert" });
  callback.appendChild(callbackError);
  var callbackRow = el("div", { "class": "hlw-row" });
  var bookButton = el("button", { type: "submit" }, "Book the callback");
  var callbackCancel = el("button", { type: "button" }, "Back to the chat");
  callbackRow.appendChild(bookButton); callbackRow.appendChild(callbackCancel);
  callback.appendChild(callbackRow);

  [head, status, log, typing, prechat, compose, callback, again].forEach(function (n) { panel.appendChild(n); });
  document.body.appendChild(launcher);
  document.body.appendChild(panel);

  // -- open, close, keyboard ----------------------------------------------------------------------
  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (!state.socket) { connect(); }
    var target = !prechat.hidden ? prechat.querySelector("input") : (!compose.hidden ? text : closeButton);
    target.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (panel.hidden) { open(); } else { close(); } });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); compose.requestSubmit(); }
  });

  // -- rendering -----------------------------------------------------------------------------------
  function render(message) {
    if (message.id && log.querySelector('[data-id="' + message.id + '"]')) { return; }
    var item = null;
    if (message.direction === "inbound" && message.client_seq !== null) {
      item = log.querySelector('[data-seq="' + message.client_seq + '"]');  // our own, pending
    }
    if (!item) {
      item = el("li", { "class": message.direction === "inbound" ? "hlw-in" : "hlw-out" });
      var who = message.direction === "inbound" ? "You" : (message.author || "Agent");
      item.appendChild(el("span", { "class": "hlw-visually-hidden" }, who + ": "));
      item.appendChild(document.createTextNode(message.body));
      (message.attachments || []).forEach(function (a) {
        item.appendChild(el("div", { "class": "hlw-note" }, "\ud83d\udcce " + a.filename));
      });
      log.appendChild(item);
    }
    item.classList.remove("hlw-pending");
    item.removeAttribute("data-seq");
    if (message.id) {
      item.setAttribute("data-id", message.id);
      state.lastId = Math.max(state.lastId, message.id);
    }
    if (message.direction === "inbound" && message.client_seq !== null) {
      delete state.pending[message.client_seq];
      state.nextSeq = Math.max(state.nextSeq, message.client_seq + 1);
      save();
    }
    log.scrollTop = log.scrollHeight;
  }
  function renderPending(seq, body) {
    if (log.querySelector('[data-seq="' + seq + '"]')) { return; }
    var item = el("li", { "class": "hlw-in hlw-pending", "data-seq": String(seq) }, body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }
  function note(textContent) {
    log.appendChild(el("li", { "class": "hlw-note" }, textContent));
    log.scrollTop = log.scrollHeight;
  }
  function showStatus(frame) {
    var s = frame.state;
    if (s === "waiting") {
      var words = "Waiting for an agent.";
      if (frame.position) { words = "You are number " + frame.position + " in line."; }
      if (frame.expected_wait_seconds !== null && frame.expected_wait_seconds !== undefined) {
        words += " Expected wait: about " + Math.max(1, Math.round(frame.expected_wait_seconds / 60)) + " min.";
      }
      status.textContent = words;
    } else if (s === "offered") {
      status.textContent = "Connecting you to an agent\u2026";
    } else if (s === "connected") {
      status.textContent = "You are chatting with " + (frame.agent_name || "an agent") + ".";
    } else if (s === "closed") {
      status.textContent = "The agent closed the chat. Write again to reopen it.";
    } else if (s === "ended") {
      finish();
    }
  }
  function finish() {
    state.ended = true;
    state.token = null; state.pending = {}; state.nextSeq = 1;
    save();
    status.textContent = "The chat has ended.";
    compose.hidden = true;
    callback.hidden = true;
    again.hidden = false;
  }

  // -- the socket -----------------------------------------------------------------------------------
  function send(frame) {
    if (state.socket && state.socket.readyState === 1) { state.socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function connect() {
    var socket = new WebSocket(wsUrl);
    state.socket = socket;
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      state.socket = null;
      if (state.ended || event.code === 4404 || event.code === 4403) {
        if (event.code === 4404 || event.code === 4403) { status.textContent = "Chat is not available here."; }
        return;
      }
      if (event.code === 4401) { state.token = null; save(); }
      status.textContent = "Reconnecting\u2026";
      window.setTimeout(connect, state.retryMs);
      state.retryMs = Math.min(state.retryMs * 2, 15000);
    };
  }
  function handle(frame) {
    switch (frame.type) {
      case "hello":
        state.limits = { types: frame.attachment_types || [], bytes: frame.max_attachment_bytes || 0 };
        title.textContent = frame.title || "Chat";
        file.hidden = fileLabel.hidden = state.limits.types.length === 0;
        state.callbacks = frame.callbacks === true;
        callMeButton.hidden = !state.callbacks;
        if (state.token) {
          send({ type: "resume", token: state.token, after: state.lastId });
        } else {
          prechat.hidden = false; compose.hidden = true;
          status.textContent = "Tell us who you are and what the chat is about.";
          if (!panel.hidden) { prechat.querySelector("input").focus(); }
        }
        break;
      case "session":
        state.token = frame.token; state.retryMs = 1000; state.ended = false; save();
        var hadFocus = panel.contains(document.activeElement);
        prechat.hidden = true; compose.hidden = false; again.hidden = true;
        if (hadFocus || !panel.hidden) { text.focus(); }
        Object.keys(state.pending).map(Number).sort(function (a, b) { return a - b; })
          .forEach(function (seq) {   // resend what was never acknowledged; the server dedupes
            renderPending(seq, state.pending[seq]);
            send({ type: "message", seq: seq, body: state.pending[seq] });
          });
        break;
      case "message": render(frame); break;
      case "ack":
        delete state.pending[frame.seq]; save();
        var mine = log.querySelector('[data-seq="' + frame.seq + '"]');
        if (mine && !log.querySelector('[data-id="' + frame.id + '"]')) {
          mine.classList.remove("hlw-pending"); mine.removeAttribute("data-seq");
          mine.setAttribute("data-id", frame.id);
        }
        break;
      case "status": showStatus(frame); break;
      case "typing": typing.textContent = frame.is_typing ? "The agent is typing\u2026" : ""; break;
      case "transcript_sent": note("The transcript is on its way to " + frame.to + "."); break;
      case "error":
        if (!prechat.hidden) { prechatError.textContent = frame.message; }
        else { note("Not sent: " + frame.message); }
        if (frame.field && !prechat.hidden) {
          var field = prechat.querySelector('[name="' + frame.field + '"]');
          if (field) { field.setAttribute("aria-invalid", "true"); field.focus(); }
        }
        break;
      default: break;
    }
  }

  // -- visitor actions ------------------------------------------------------------------------------
  prechat.addEventListener("submit", function (event) {
    event.preventDefault();
    prechatError.textContent = "";
    prechat.querySelectorAll("input").forEach(function (i) { i.removeAttribute("aria-invalid"); });
    send({ type: "start", name: prechat.elements.name.value, email: prechat.elements.email.value,
      topic: prechat.elements.topic.value, visitor_id: state.visitorId });
  });
  compose.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = text.value;
    if (!body.trim()) { return; }
    var seq = state.nextSeq++;
    state.pending[seq] = body; save();
    renderPending(seq, body);
    send({ type: "message", seq: seq, body: body });  // offline: resent on reconnect
    text.value = "";
    sendTyping(false);
  });
  function sendTyping(isTyping) {
    window.clearTimeout(state.typingTimer);
    if (isTyping) {
      var now = Date.now();
      if (now - state.typingSentAt > 3000) { state.typingSentAt = now; send({ type: "typing", is_typing: true }); }
      state.typingTimer = window.setTimeout(function () { sendTyping(false); }, 4000);
    } else if (state.typingSentAt) {
      state.typingSentAt = 0;
      send({ type: "typing", is_typing: false });
    }
  }
  text.addEventListener("input", function () { sendTyping(text.value.length > 0); });
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    file.value = "";
    if (!chosen || !state.token) { return; }
    if (state.limits.types.indexOf(chosen.type) < 0) { note("Files of this type cannot be sent."); return; }
    if (chosen.size > state.limits.bytes) { note("This file is too large to send."); return; }
    var seq = state.nextSeq++;
    save();
    note("Sending " + chosen.name + "\u2026");
    window.fetch(uploadUrl + "&seq=" + seq + "&filename=" + encodeURIComponent(chosen.name), {
      method: "POST", body: chosen,
      headers: { "Content-Type": chosen.type, "X-Chat-Token": state.token }
    }).then(function (response) {
      if (!response.ok) { return response.json().then(function (r) { throw new Error(detail(r)); }); }
    }).catch(function (error) { note("Not sent: " + error.message); });
  });
  function detail(response) {
    var d = response && response.detail;
    return Array.isArray(d) && d[0] ? d[0].msg : String(d || "refused");
  }
  transcriptButton.addEventListener("click", function () { send({ type: "transcript" }); });

  // -- booking a callback ---------------------------------------------------------------------------
  var FIELD_ERRORS = { phone: phoneError, slot_start: slotError };
  var FIELD_INPUTS = { phone: phoneInput, slot_start: slotSelect };
  function dayLabel(date) {
    return date.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" });
  }
  function shortDayLabel(date) {
    return date.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
  }
  function timeLabel(date) {
    return date.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
  }
  function clearCallbackErrors() {
    callbackError.textContent = "";
    Object.keys(FIELD_ERRORS).forEach(function (name) {
      FIELD_ERRORS[name].textContent = "";
      FIELD_INPUTS[name].removeAttribute("aria-invalid");
    });
  }
  function apiError(response) {
    // The API's error body: {"detail": "words"} or {"detail": [{"loc": [..., field], "msg": "words"}]}.
    return response.json().catch(function () { return {}; }).then(function (body) {
      var d = body && body.detail;
      var first = Array.isArray(d) ? d[0] || {} : {};
      var loc = first.loc || [];
      var error = new Error(Array.isArray(d) ? String(first.msg || "refused") : String(d || "refused"));
      error.status = response.status;
      error.field = loc.length ? String(loc[loc.length - 1]) : null;
      throw error;
    });
  }
  function loadSlots() {
    slotSelect.textContent = "";
    slotSelect.appendChild(el("option", { value: "" }, "Loading times\u2026"));
    slotSelect.disabled = true;
    return window.fetch(slotsUrl).then(function (response) {
      if (!response.ok) { return apiError(response); }
      return response.json();
    }).then(function (slots) {
      slotSelect.textContent = "";
      slotSelect.disabled = false;
      if (!slots.length) {
        slotSelect.appendChild(el("option", { value: "" }, "No free times this week"));
        slotSelect.disabled = true;
        return;
      }
      var group = null;
      var day = "";
      slots.forEach(function (slot) {
        var start = new Date(slot.start);
        var label = dayLabel(start);
        if (label !== day) {
          day = label;
          group = el("optgroup", { label: label });
          slotSelect.appendChild(group);
        }
        group.appendChild(el("option", { value: slot.start }, shortDayLabel(start) + ", " +
          timeLabel(start) + " \u2013 " + timeLabel(new Date(slot.end))));
      });
    }).catch(function (error) {
      slotSelect.textContent = "";
      slotSelect.appendChild(el("option", { value: "" }, "No times available"));
      callbackError.textContent = "We could not load the times: " + error.message;
    });
  }
  function openCallback() {
    clearCallbackErrors();
    compose.hidden = true;
    callback.hidden = false;
    callMeButton.setAttribute("aria-expanded", "true");
    loadSlots();
    slotSelect.focus();
  }
  function closeCallback() {
    callback.hidden = true;
    compose.hidden = state.ended;
    callMeButton.setAttribute("aria-expanded", "false");
    if (!compose.hidden) { callMeButton.focus(); }
  }
  function showCallbackError(error) {
    if (error.status === 409) {
      slotError.textContent = "That time has just filled up. Please choose another time.";
      slotSelect.setAttribute("aria-invalid", "true");
      loadSlots().then(function () { slotSelect.focus(); });
      return;
    }
    var shown = FIELD_ERRORS[error.field];
    if (error.status === 422 && shown) {
      var words = error.field === "phone" ? "Please check the phone number: " : "Please choose another time: ";
      shown.textContent = words + error.message.replace(/\.$/, "") + ".";
      FIELD_INPUTS[error.field].setAttribute("aria-invalid", "true");
      FIELD_INPUTS[error.field].focus();
      return;
    }
    callbackError.textContent = "The callback was not booked: " + error.message.replace(/\.$/, "") + ".";
  }
  callMeButton.addEventListener("click", openCallback);
  callbackCancel.addEventListener("click", closeCallback);
  callback.addEventListener("submit", function (event) {
    event.preventDefault();
    clearCallbackErrors();
    if (!slotSelect.value) {
      slotError.textContent = "Please choose a time.";
      slotSelect.setAttribute("aria-invalid", "true");
      slotSelect.focus();
      return;
    }
    if (!phoneInput.value.trim()) {
      phoneError.textContent = "Please enter the number we should call.";
      phoneInput.setAttribute("aria-invalid", "true");
      phoneInput.focus();
      return;
    }
    if (!state.token) { callbackError.textContent = "Start a chat first."; return; }
    bookButton.disabled = true;
    window.fetch(callbacksUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Chat-Token": state.token },
      body: JSON.stringify({ phone: phoneInput.value, slot_start: slotSelect.value })
    }).then(function (response) {
      if (!response.ok) { return apiError(response); }
      return response.json();
    }).then(function (booked) {
      var start = new Date(booked.slot_start);
      note("Callback booked: we will call you on " + booked.phone + " on " + dayLabel(start) +
        " between " + timeLabel(start) + " and " + timeLabel(new Date(booked.slot_end)) + ".");
      phoneInput.value = "";
      closeCallback();
    }).catch(showCallbackError).then(function () { bookButton.disabled = false; });
  });
  endButton.addEventListener("click", function () { send({ type: "end" }); });
  again.addEventListener("click", function () {
    log.textContent = ""; state.lastId = 0; state.ended = false;
    again.hidden = true;
    if (state.socket) { state.socket.close(); } else { connect(); }
    prechat.hidden = false;
    prechat.querySelector("input").focus();
  });
  if (state.token) { connect(); }  // an ongoing chat resumes on every page of the site
})();
