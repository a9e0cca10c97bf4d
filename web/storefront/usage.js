// Usage events (view, add_to_cart, remove_from_cart) sent to the ingest API in batches,
// never in the page's way: queued, flushed every few seconds and when the page is hidden.
// The events API takes signed-in shoppers' events (their ID token): a signed-out
// visitor's are not recorded.
const FLUSH_MS = 3000;
const MAX_BATCH = 50; // the events API's most records per request

export function createUsage(config, auth) {
  const endpoint = config.ingestUrl ? new URL("records", config.ingestUrl.replace(/\/?$/, "/")) : null;
  let queue = [];
  let token = null; // the last ID token seen, so pagehide can send without awaiting

  const send = (records, keepalive) => {
    const headers = { "Content-Type": "application/json", Authorization: token };
    return fetch(endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ records }),
      keepalive,
    }).catch(() => null); // events are best effort: a lost batch must not bother the shopper
  };

  const flush = async (keepalive = false) => {
    if (!endpoint || queue.length === 0) return;
    if (!keepalive) token = await auth.idToken().catch(() => null);
    if (!token) {
      queue = []; // signed out meanwhile
      return;
    }
    while (queue.length) await send(queue.splice(0, MAX_BATCH), keepalive);
  };

  if (endpoint) {
    setInterval(() => flush(), FLUSH_MS);
    window.addEventListener("pagehide", () => flush(true));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") flush(true);
    });
  }

  return {
    /** Queue one event about productId; returns at once. */
    track(eventType, productId) {
      if (!endpoint || !auth.username()) return;
      auth.idToken().then((current) => { token = current; }, () => null); // for pagehide
      queue.push({
        event_id: crypto.randomUUID(),
        event_type: eventType,
        occurred_at: new Date().toISOString(),
        product_id: productId,
      });
    },
    flush,
  };
}
