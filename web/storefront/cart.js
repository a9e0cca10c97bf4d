// The cart, kept in localStorage, and the idempotency key of the current checkout attempt.
const STORAGE_KEY = "shop.cart";
const MAX_QUANTITY = 100;

function load() {
  const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
  return stored && typeof stored.lines === "object" ? stored : { lines: {}, checkout: null };
}

function save(cart) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(cart));
  window.dispatchEvent(new CustomEvent("cart-changed"));
}

/** What the order would contain: a changed cart is another order, with another key. */
function contents(cart) {
  return JSON.stringify(
    Object.entries(cart.lines)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([sku, line]) => [sku, line.quantity]),
  );
}

export const cart = {
  lines: () => Object.entries(load().lines).map(([sku, line]) => ({ sku, ...line })),
  count: () => Object.values(load().lines).reduce((sum, line) => sum + line.quantity, 0),
  totalCents: () =>
    Object.values(load().lines).reduce((sum, line) => sum + line.quantity * line.price_cents, 0),
  add(product, quantity = 1) {
    const current = load();
    const line = current.lines[product.sku] || { name: product.name, price_cents: product.price_cents, quantity: 0 };
    line.quantity = Math.min(MAX_QUANTITY, line.quantity + quantity);
    current.lines[product.sku] = line;
    save(current);
  },
  remove(sku) {
    const current = load();
    delete current.lines[sku];
    save(current);
  },
  clear: () => save({ lines: {}, checkout: null }),
  /**
   * The Idempotency-Key of this checkout attempt: the same while the cart holds the same
   * order (a retry after a failure or a lost answer places it at most once), a new one
   * once the cart changes.
   */
  checkoutKey() {
    const current = load();
    const what = contents(current);
    if (!current.checkout || current.checkout.contents !== what) {
      current.checkout = { key: crypto.randomUUID(), contents: what };
      save(current);
    }
    return current.checkout.key;
  },
};
