// AWS Signature Version 4 in the page, with WebCrypto only (no SDK, no bundle): what the
// storefront signs its Kinesis calls with, using the identity pool's temporary credentials.
// tests/test_sigv4_js.py runs it on Node against botocore's signer on the same inputs.

const encoder = new TextEncoder();

const hex = (buffer) =>
  Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");

async function sha256Hex(data) {
  return hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data));
}

async function hmac(key, data) {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const imported = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", imported, encoder.encode(data));
}

// RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone).
const encode = (text) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalUri(pathname) {
  // URL sends the path percent-encoded once; SigV4 (outside S3) encodes each segment of
  // what is sent once more.
  return (pathname || "/").split("/").map(encode).join("/");
}

function canonicalQuery(searchParams) {
  return [...searchParams.entries()]
    .map(([key, value]) => [encode(key), encode(value)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

/** `20240101T000000Z` of a Date. */
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * The headers to send with a request signed for `service` in `region`: the given ones,
 * `X-Amz-Date`, `X-Amz-Security-Token` (temporary credentials) and `Authorization`.
 * `credentials` is `{ accessKeyId, secretAccessKey, sessionToken }`; `body` a string.
 * Every header given is signed, and `host` (from `url`, which fetch sends itself).
 */
export async function signRequest({ method, url, headers = {}, body = "", region, service, credentials, date = new Date() }) {
  const target = new URL(url);
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const signed = { ...headers, "X-Amz-Date": stamp };
  if (credentials.sessionToken) signed["X-Amz-Security-Token"] = credentials.sessionToken;
  const canonical = new Map([["host", target.host]]);
  for (const [name, value] of Object.entries(signed)) {
    canonical.set(name.toLowerCase(), String(value).trim().replace(/\s+/g, " "));
  }
  const names = [...canonical.keys()].sort();
  const signedHeaders = names.join(";");
  const request = [
    method.toUpperCase(),
    canonicalUri(target.pathname),
    canonicalQuery(target.searchParams),
    names.map((name) => `${name}:${canonical.get(name)}\n`).join(""),
    signedHeaders,
    await sha256Hex(body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", stamp, scope, await sha256Hex(request)].join("\n");
  let key = await hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, service, "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  return {
    ...signed,
    Authorization:
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
