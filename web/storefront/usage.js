// Usage events (view, add_to_cart, remove_from_cart) sent in batches, never in the page's
// way: queued, flushed every few seconds and when the page is hidden.
// With an identity pool in config.json (identityPoolId, eventsStream), the page puts them
// straight into the stage's Kinesis stream (PutRecords, signed with the identity pool's
// temporary credentials: identity.js, sigv4.js), as the workshop does: no API in the path.
// Without one, or when the credentials exchange fails, it posts a signed-in shopper's to
// the events API (ingestUrl) with the ID token.
// Signed-out visitors' events are sent only where the stage lets guests in (guestEvents).
import { createIdentity } from "./identity.js";
import { signRequest } from "./sigv4.js";

const FLUSH_MS = 3000;
const MAX_API_BATCH = 50; // the events API's most records per request
const MAX_STREAM_BATCH = 500; // Kinesis' most records per PutRecords

const base64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

export function createUsage(config, auth) {
  const direct = Boolean(config.identityPoolId && config.eventsStream);
  const identity = direct ? createIdentity(config, auth) : null;
  const endpoint = config.ingestUrl ? new URL("records", config.ingestUrl.replace(/\/?$/, "/")) : null;
  const enabled = direct || Boolean(endpoint);
  let queue = [];
  let token = null; // the last ID token seen, so pagehide can send without awaiting

  const postToApi = (records, keepalive) =>
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: token },
      body: JSON.stringify({ records }),
      keepalive,
    });

  const putIntoStream = async (records, credentials, keepalive) => {
    const body = JSON.stringify({
      StreamARN: config.eventsStream,
      Records: records.map((record) => ({ Data: base64(JSON.stringify(record)), PartitionKey: record.product_id })),
    });
    const headers = await signRequest({
      method: "POST",
      url: config.kinesisEndpoint,
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.PutRecords" },
      body,
      region: config.region,
      service: "kinesis",
      credentials,
    });
    return fetch(config.kinesisEndpoint, { method: "POST", headers, body, keepalive });
  };

  const flush = async (keepalive = false) => {
    if (!enabled || queue.length === 0) return;
    const batch = queue;
    queue = [];
    // Events are best effort: a lost batch must not bother the shopper.
    if (direct) {
      const credentials = keepalive ? identity.current() : await identity.credentials().catch(() => null);
      if (credentials) {
        for (let i = 0; i < batch.length; i += MAX_STREAM_BATCH) {
          await putIntoStream(batch.slice(i, i + MAX_STREAM_BATCH), credentials, keepalive).catch(() => null);
        }
        return;
      }
      // No credentials (the exchange failed, or signed out meanwhile): a signed-in
      // shopper's events still go to the events API, when there is one.
      if (!endpoint || !auth.username()) return;
    }
    if (!keepalive) token = await auth.idToken().catch(() => null);
    if (!token) return; // signed out meanwhile
    for (let i = 0; i < batch.length; i += MAX_API_BATCH) {
      await postToApi(batch.slice(i, i + MAX_API_BATCH), keepalive).catch(() => null);
    }
  };

  if (enabled) {
    setInterval(() => flush(), FLUSH_MS);
    window.addEventListener("pagehide", () => flush(true));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") flush(true);
    });
  }

  return {
    /** Queue one event about productId; returns at once. */
    track(eventType, productId) {
      if (!enabled) return;
      if (direct) {
        if (!identity.available()) return;
        identity.credentials().catch(() => null); // fetched now, so pagehide can send
        if (endpoint && auth.username()) auth.idToken().then((current) => { token = current; }, () => null);
      } else {
        if (!auth.username()) return;
        auth.idToken().then((current) => { token = current; }, () => null); // for pagehide
      }
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
