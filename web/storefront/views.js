// Building the page's parts. Data goes in as text (textContent), never as markup.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return node;
}

export const price = (cents) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(cents / 100);

/** A tile standing in for the product's picture: its initials on a colour of its SKU. */
function tile(product) {
  let hash = 0;
  for (const char of product.sku) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  const node = el("div", { class: "tile", "aria-hidden": "true" }, product.name.slice(0, 2).toUpperCase());
  node.style.setProperty("--hue", String(hash));
  return node;
}

export function productList({ products, hasNext, hasPrevious, onNext, onPrevious }) {
  return el(
    "section",
    { class: "catalogue" },
    el("h1", {}, "Products"),
    products.length
      ? el(
          "ul",
          { class: "products", id: "products" },
          products.map((product) =>
            el(
              "li",
              { class: "product-card", "data-sku": product.sku },
              el("a", { href: `#/product/${encodeURIComponent(product.sku)}` }, tile(product), el("h2", {}, product.name)),
              el("p", { class: "price" }, price(product.price_cents)),
            ),
          ),
        )
      : el("p", { class: "muted" }, "No products yet."),
    el(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      el("button", { type: "button", id: "previous-page", disabled: !hasPrevious, onclick: onPrevious }, "Previous"),
      el("button", { type: "button", id: "next-page", disabled: !hasNext, onclick: onNext }, "Next"),
    ),
  );
}

export function productPage(product, onAdd) {
  const quantity = el("input", { type: "number", id: "quantity", min: "1", max: "100", value: "1" });
  return el(
    "article",
    { class: "product-page", "data-sku": product.sku },
    tile(product),
    el(
      "div",
      {},
      el("h1", {}, product.name),
      el("p", { class: "price" }, price(product.price_cents)),
      el("p", {}, product.description || ""),
      el("p", { class: "muted" }, `SKU ${product.sku}`),
      el(
        "form",
        {
          class: "add",
          onsubmit: (event) => {
            event.preventDefault();
            onAdd(Math.max(1, Math.min(100, Number(quantity.value) || 1)));
          },
        },
        el("label", { for: "quantity" }, "Quantity "),
        quantity,
        el("button", { type: "submit", id: "add-to-cart" }, "Add to cart"),
      ),
      el("p", {}, el("a", { href: "#/" }, "Back to products")),
    ),
  );
}

export function cartPage({ lines, totalCents, signedIn, onRemove, onPlace }) {
  if (!lines.length) {
    return el("section", {}, el("h1", {}, "Cart"), el("p", { class: "muted", id: "cart-empty" }, "Your cart is empty."));
  }
  const place = el("button", { type: "button", id: "place-order", class: "primary" }, "Place order");
  place.addEventListener("click", () => onPlace(place));
  return el(
    "section",
    {},
    el("h1", {}, "Cart"),
    el(
      "table",
      { class: "lines", id: "cart-lines" },
      el("thead", {}, el("tr", {}, el("th", {}, "Product"), el("th", {}, "Quantity"), el("th", {}, "Price"), el("th", {}, ""))),
      el(
        "tbody",
        {},
        lines.map((line) =>
          el(
            "tr",
            { "data-sku": line.sku },
            el("td", {}, line.name),
            el("td", {}, String(line.quantity)),
            el("td", {}, price(line.quantity * line.price_cents)),
            el("td", {}, el("button", { type: "button", class: "link", onclick: () => onRemove(line.sku) }, "Remove")),
          ),
        ),
      ),
    ),
    el("p", { class: "total" }, `Total ${price(totalCents)}`),
    signedIn ? place : el("p", {}, el("a", { href: "#/signin", id: "sign-in-to-order" }, "Sign in"), " to place your order."),
  );
}

export function signInPage({ onSignIn, onCode, askCode }) {
  if (askCode) {
    const code = el("input", { id: "mfa-code", inputmode: "numeric", autocomplete: "one-time-code", required: true, pattern: "[0-9]{6}" });
    return el(
      "section",
      { class: "sign-in" },
      el("h1", {}, "Authenticator code"),
      el(
        "form",
        { onsubmit: (event) => { event.preventDefault(); onCode(code.value.trim(), event.submitter); } },
        el("label", { for: "mfa-code" }, "The 6-digit code of your authenticator app"),
        code,
        el("button", { type: "submit", id: "mfa-submit", class: "primary" }, "Verify"),
      ),
    );
  }
  const email = el("input", { id: "email", type: "email", autocomplete: "username", required: true });
  const password = el("input", { id: "password", type: "password", autocomplete: "current-password", required: true });
  return el(
    "section",
    { class: "sign-in" },
    el("h1", {}, "Sign in"),
    el(
      "form",
      { onsubmit: (event) => { event.preventDefault(); onSignIn(email.value.trim(), password.value, event.submitter); } },
      el("label", { for: "email" }, "E-mail"),
      email,
      el("label", { for: "password" }, "Password"),
      password,
      el("button", { type: "submit", id: "sign-in", class: "primary" }, "Sign in"),
    ),
  );
}

export function orderPage(order) {
  return el(
    "section",
    { class: "order", "data-order-id": order.order_id },
    el("h1", {}, "Your order"),
    el("p", {}, "Order ", el("code", { id: "order-id" }, order.order_id), " is ", el("strong", { id: "order-status" }, order.status), "."),
    el(
      "ul",
      { class: "order-lines" },
      order.items.map((item) => el("li", {}, `${item.quantity} × ${item.name} — ${price(item.quantity * item.unit_price_cents)}`)),
    ),
    el("p", { class: "total" }, `Total ${price(order.total_cents)}`),
    el("p", { class: "muted" }, `Placed ${order.created_at}`),
  );
}
