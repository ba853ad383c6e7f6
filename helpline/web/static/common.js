// Shared helpers of the pages: API calls with the session's CSRF token, times in the org's zone.
"use strict";

const Helpline = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  async function api(method, path, body) {
    const options = { method, credentials: "same-origin", headers: {} };
    if (method !== "GET") options.headers["X-CSRF-Token"] = csrf();
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch("/api/v1" + path, options);
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const detail = data && data.detail;
      const message = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail;
      throw new Error(message || response.statusText);
    }
    return data;
  }

  function socket(path, onMessage) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let ws;
    const open = () => {
      ws = new WebSocket(`${scheme}://${location.host}/api/v1${path}`);
      ws.onmessage = (event) => onMessage(JSON.parse(event.data));
      ws.onclose = (event) => {
        if (event.code === 4401) {  // logged out (session revoked, user deactivated): log in again
          location.href = "/login?next=" + encodeURIComponent(location.pathname);
        } else if (event.code < 4000) {
          setTimeout(open, 2000);
        }
      };
    };
    open();
    return () => ws && ws.close();
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const whole = Math.max(0, Math.round(seconds));
    const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function percent(ratio) {
    return ratio === null || ratio === undefined ? "–" : Math.round(100 * ratio) + "%";
  }

  function clock(zone) {
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
    return (iso) => (iso ? format.format(new Date(iso)) : "");
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function say(message, isError = false) {
    const status = document.getElementById("status");
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("error", isError);
  }

  return { api, socket, duration, percent, clock, el, say };
})();
