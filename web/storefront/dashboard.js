// The live dashboard: usage counts per product and per event type, pushed over the
// live-updates WebSocket API (lambdas/live_updates/messages.py documents the messages).
//
// 1. config.json (written at deployment) gives `apiUrl` (the shop API) and `liveUrl`
//    (the WebSocket stage's wss:// URL).
// 2. The person's Cognito ID token buys a short-lived live token from
//    `GET <apiUrl>/live-token`. It is read from the storefront's sign-in session
//    (sessionStorage `shop.session`: `{"idToken": ..., "expiresAt": <ms>}`, auth.js), or
//    else from the key `shop.idToken` (sessionStorage, then localStorage), where any other
//    sign-in page may leave a raw ID token.
// 3. The socket opens with `?token=<live token>&topics=all` and asks for a snapshot of
//    every counter's current value (pages of `snapshot` messages, following each page's
//    cursor); every `count` message then sets a counter's absolute value. Counters only
//    grow, so a value below the one shown is dropped, as is an older sequence number: a
//    redelivered or late message, or a stale snapshot, never rolls a count back.
// 4. When the socket closes, it reconnects after an exponential backoff with full jitter
//    (capped), with a fresh token when the old one is near its expiry or was refused.

export const SESSION_KEY = "shop.session";
export const ID_TOKEN_KEY = "shop.idToken";
export const EVENT_TYPES = ["view", "click", "add_to_cart", "remove_from_cart", "purchase"];
export const BACKOFF = { baseMs: 500, capMs: 30_000 };
// Renew a token this long before it expires (a connect must arrive before `exp`).
const TOKEN_MARGIN_MS = 30_000;
// API Gateway closes a WebSocket idle for 10 minutes: a ping keeps it open.
const PING_MS = 4 * 60_000;

/** Milliseconds before reconnect attempt `attempt` (0-based): full jitter under a cap. */
export function backoffDelay(attempt, random = Math.random, { baseMs, capMs } = BACKOFF) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Counts by product then event type, with the newest sequence number of each counter. */
export class Counts {
  constructor() {
    this.byProduct = new Map();
    this.sequences = new Map();
  }

  /** Apply one `count` message; false when it is older than what is shown. */
  apply({ product_id: product, event_type: type, count, sequence }) {
    const key = `${product}\u0000${type}`;
    const newer = parseSequence(sequence);
    const seen = this.sequences.get(key);
    if (newer !== null && seen !== undefined && seen !== null && newer <= seen) return false;
    if (count < (this.byProduct.get(product)?.get(type) ?? -1)) return false;
    this.sequences.set(key, newer);
    if (!this.byProduct.has(product)) this.byProduct.set(product, new Map());
    this.byProduct.get(product).set(type, count);
    return true;
  }

  /** Apply a snapshot's counters (no sequence numbers): only raises what is shown. */
  applySnapshot(counts) {
    let changed = false;
    for (const { product_id: product, event_type: type, count } of counts) {
      if (count <= (this.byProduct.get(product)?.get(type) ?? -1)) continue;
      if (!this.byProduct.has(product)) this.byProduct.set(product, new Map());
      this.byProduct.get(product).set(type, count);
      changed = true;
    }
    return changed;
  }

  /** The sum of each event type over every product. */
  totals() {
    const sums = new Map(EVENT_TYPES.map((type) => [type, 0]));
    for (const counters of this.byProduct.values()) {
      for (const [type, count] of counters) sums.set(type, (sums.get(type) ?? 0) + count);
    }
    return sums;
  }
}

function parseSequence(sequence) {
  try {
    return BigInt(sequence);
  } catch {
    return null; // not a number: order unknown, take it
  }
}

class SignedOutError extends Error {}

function readIdToken() {
  let session = null;
  try {
    session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    session = null;
  }
  // An expired session is refreshed by the storefront, not here: sign in there again.
  if (session?.idToken && !(session.expiresAt <= Date.now())) return session.idToken;
  return sessionStorage.getItem(ID_TOKEN_KEY) ?? localStorage.getItem(ID_TOKEN_KEY);
}

async function fetchLiveToken(apiUrl) {
  const idToken = readIdToken();
  if (!idToken) throw new SignedOutError("not signed in");
  const response = await fetch(`${apiUrl.replace(/\/+$/, "")}/live-token`, {
    headers: { Authorization: idToken },
    cache: "no-store",
  });
  if (response.status === 401 || response.status === 403) throw new SignedOutError("sign-in expired");
  if (!response.ok) throw new Error(`the token request failed (${response.status})`);
  const body = await response.json();
  return { value: body.token, expiresAtMs: body.expires_at * 1000 };
}

/** The page: connection state, the totals and the table. */
class View {
  constructor(doc) {
    this.doc = doc;
    this.state = doc.getElementById("state");
    this.totals = doc.getElementById("totals");
    this.head = doc.getElementById("products-head");
    this.body = doc.getElementById("products-body");
    this.updated = doc.getElementById("updated");
    this.signedOut = doc.getElementById("signed-out");
    for (const type of EVENT_TYPES) {
      const th = doc.createElement("th");
      th.scope = "col";
      th.textContent = label(type);
      this.head.append(th);
      const item = doc.createElement("li");
      item.dataset.eventType = type;
      item.innerHTML = `<span class="label"></span><span class="value">0</span>`;
      item.querySelector(".label").textContent = label(type);
      this.totals.append(item);
    }
  }

  show(state, text) {
    this.state.dataset.state = state;
    this.state.textContent = text;
    this.signedOut.hidden = state !== "signed-out";
  }

  render(counts, changed) {
    for (const [type, sum] of counts.totals()) {
      const item = this.totals.querySelector(`[data-event-type="${type}"] .value`);
      if (item) item.textContent = sum.toLocaleString();
    }
    const empty = this.body.querySelector("tr.empty");
    if (empty) empty.remove();
    const products = [...counts.byProduct.keys()].sort();
    for (const product of products) {
      let row = [...this.body.rows].find((r) => r.dataset.product === product);
      if (!row) {
        row = this.doc.createElement("tr");
        row.dataset.product = product;
        const name = this.doc.createElement("td");
        name.textContent = product;
        row.append(name);
        for (const type of EVENT_TYPES) {
          const cell = this.doc.createElement("td");
          cell.dataset.eventType = type;
          cell.textContent = "0";
          row.append(cell);
        }
        const after = [...this.body.rows].find((r) => r.dataset.product > product);
        this.body.insertBefore(row, after ?? null);
      }
      for (const [type, count] of counts.byProduct.get(product)) {
        const cell = row.querySelector(`td[data-event-type="${type}"]`);
        if (!cell) continue;
        cell.textContent = String(count);
        if (changed === `${product}\u0000${type}`) {
          cell.classList.remove("changed");
          void cell.offsetWidth; // restart the animation
          cell.classList.add("changed");
        }
      }
    }
    this.updated.textContent = `last update ${new Date().toLocaleTimeString()}`;
  }
}

function label(type) {
  return type.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

/** Keeps one socket open, reconnecting with backoff; see the top of this file. */
export class LiveConnection {
  constructor({ apiUrl, liveUrl, view, counts, backoff = BACKOFF }) {
    Object.assign(this, { apiUrl, liveUrl, view, counts, backoff });
    this.attempt = 0;
    this.token = null;
    this.socket = null;
    this.timer = null;
    this.pinger = null;
  }

  async connect() {
    clearTimeout(this.timer);
    try {
      if (!this.token || this.token.expiresAtMs - Date.now() < TOKEN_MARGIN_MS) {
        this.view.show("connecting", "Getting a token\u2026");
        this.token = await fetchLiveToken(this.apiUrl);
      }
    } catch (error) {
      if (error instanceof SignedOutError) {
        this.view.show("signed-out", "Signed out");
        return; // until the storefront stores a new sign-in (the storage event)
      }
      this.retry(`No token: ${error.message}`);
      return;
    }
    this.view.show("connecting", this.attempt ? `Reconnecting (attempt ${this.attempt + 1})\u2026` : "Connecting\u2026");
    const url = new URL(this.liveUrl);
    url.searchParams.set("token", this.token.value);
    url.searchParams.set("topics", "all");
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      this.attempt = 0;
      this.view.show("live", "Live");
      socket.send(JSON.stringify({ action: "snapshot" }));
      this.pinger = setInterval(() => socket.send(JSON.stringify({ action: "ping" })), PING_MS);
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => {
      clearInterval(this.pinger);
      if (this.socket !== socket) return;
      // A connect refused before opening may be the token's fault: get a new one.
      if (!opened) this.token = null;
      this.retry(opened ? "Connection lost" : "Could not connect");
    });
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message.type === "count" && this.counts.apply(message)) {
      this.view.render(this.counts, `${message.product_id}\u0000${message.event_type}`);
    } else if (message.type === "snapshot" && Array.isArray(message.counts)) {
      if (this.counts.applySnapshot(message.counts)) this.view.render(this.counts, null);
      if (message.cursor) this.socket?.send(JSON.stringify({ action: "snapshot", cursor: message.cursor }));
    } else if (message.type === "error") {
      console.warn("live updates:", message.message);
    }
  }

  retry(reason) {
    const delay = backoffDelay(this.attempt, Math.random, this.backoff);
    this.attempt += 1;
    this.view.show("reconnecting", `${reason}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

async function start() {
  const view = new View(document);
  let config;
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    config = await response.json();
  } catch {
    view.show("error", "No configuration (config.json) found");
    return;
  }
  if (!config.liveUrl || !config.apiUrl) {
    view.show("error", "This stage has no live updates (config.json has no liveUrl)");
    return;
  }
  const connection = new LiveConnection({ apiUrl: config.apiUrl, liveUrl: config.liveUrl, view, counts: new Counts() });
  window.addEventListener("storage", (event) => {
    const signIn = event.key === ID_TOKEN_KEY || event.key === SESSION_KEY;
    if (signIn && view.state.dataset.state === "signed-out") connection.connect();
  });
  connection.connect();
}

if (typeof document !== "undefined" && document.getElementById("state")) start();
