// The shop API: the catalogue (public) and orders (signed in, ID token as Authorization).

/** A failed request, with a message meant for the person using the page. */
export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** fetch() that turns network failures and error responses into ApiError. */
export async function requestJson(url, options = {}, what = "The shop") {
  let response;
  try {
    response = await fetch(url, options);
  } catch {
    throw new ApiError(`${what} could not be reached. Check your connection and try again.`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body && (body.message || body.Message);
    throw new ApiError(
      detail ? `${detail} (HTTP ${response.status})` : `${what} answered HTTP ${response.status}.`,
      response.status,
    );
  }
  return body;
}

export function createApi(config, auth) {
  const url = (path, query = {}) => {
    const target = new URL(path, config.apiUrl);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") target.searchParams.set(name, value);
    }
    return target;
  };
  const signedIn = async () => {
    const token = await auth.idToken();
    if (!token) throw new ApiError("Please sign in first.", 401);
    return { Authorization: token };
  };
  return {
    /** One page of products: {products, cursor} (cursor null on the last page). */
    listProducts: ({ limit, cursor }) => requestJson(url("products", { limit, cursor })),
    getProduct: (sku) => requestJson(url(`products/${encodeURIComponent(sku)}`)),
    /** Places the order once per idempotencyKey: a repeat returns the first order. */
    placeOrder: async (items, idempotencyKey) =>
      requestJson(url("orders"), {
        method: "POST",
        headers: {
          ...(await signedIn()),
          "Content-Type": "application/json",
          "Idempotency-Key": idempotencyKey,
        },
        body: JSON.stringify({ items }),
      }),
    getOrder: async (orderId) =>
      requestJson(url(`orders/${encodeURIComponent(orderId)}`), { headers: await signedIn() }),
  };
}
